"""Weekly check-ins and recurring meetings

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer, "sqlite")
UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "meeting",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("property_id", BigId, sa.ForeignKey("property.id", ondelete="CASCADE"), nullable=True),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("members", sa.JSON, nullable=False),
        sa.Column("weekday", sa.Integer, nullable=False),
        sa.Column("at", sa.String(5), nullable=False),
        sa.Column("zone", sa.String(64), nullable=False),
        sa.Column("every_weeks", sa.Integer, nullable=False),
        sa.Column("anchor", sa.Date, nullable=False),
        sa.Column("holiday_rule", sa.String(30), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.UniqueConstraint("kind", "property_id", name="uq_meeting_property"),
    )
    op.create_table(
        "checkin_item",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("meeting_id", BigId, sa.ForeignKey("meeting.id", ondelete="CASCADE"), nullable=False),
        sa.Column("section", sa.String(30), nullable=False),
        sa.Column("unit", sa.String(30), nullable=False),
        sa.Column("client_code", sa.String(40), nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("raised_by", sa.String(32), nullable=False),
        sa.Column("raised_by_team", sa.String(32), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("closed_at", UTC_TIME, nullable=True),
        sa.Column("closed_by", sa.String(32), nullable=True),
    )
    op.create_index("ix_checkin_item_open", "checkin_item", ["meeting_id", "closed_at"])
    op.create_table(
        "agenda",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("meeting_id", BigId, sa.ForeignKey("meeting.id", ondelete="CASCADE"), nullable=False),
        sa.Column("period", sa.String(20), nullable=False),
        sa.Column("held_at", UTC_TIME, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("derived", sa.JSON, nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("posted_at", UTC_TIME, nullable=True),
        sa.Column("summarised_at", UTC_TIME, nullable=True),
        sa.UniqueConstraint("meeting_id", "period", name="uq_agenda_period"),
    )
    op.create_index("ix_agenda_meeting_id", "agenda", ["meeting_id"])
    op.create_table(
        "agenda_entry",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("agenda_id", BigId, sa.ForeignKey("agenda.id", ondelete="CASCADE"), nullable=False),
        sa.Column("item_id", BigId, sa.ForeignKey("checkin_item.id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("carried", sa.Integer, nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("outcome_by", sa.String(32), nullable=True),
        sa.Column("outcome_at", UTC_TIME, nullable=True),
        sa.UniqueConstraint("agenda_id", "item_id", name="uq_agenda_entry_item"),
    )
    op.create_index("ix_agenda_entry_item", "agenda_entry", ["item_id"])


def downgrade() -> None:
    op.drop_index("ix_agenda_entry_item", table_name="agenda_entry")
    op.drop_table("agenda_entry")
    op.drop_index("ix_agenda_meeting_id", table_name="agenda")
    op.drop_table("agenda")
    op.drop_index("ix_checkin_item_open", table_name="checkin_item")
    op.drop_table("checkin_item")
    op.drop_table("meeting")
