"""Escalations: cases, their notes and the welfare protocol's ticked steps

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer, "sqlite")
UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "escalation",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("property_id", BigId, sa.ForeignKey("property.id"), nullable=False),
        sa.Column("category", sa.String(30), nullable=False),
        sa.Column("urgency", sa.String(10), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("raised_by", sa.String(32), nullable=False),
        sa.Column("raised_by_team", sa.String(32), nullable=False),
        sa.Column("other_party", sa.String(32), nullable=False),
        sa.Column("what_happened", sa.Text, nullable=False),
        sa.Column("tried", sa.Text, nullable=False),
        sa.Column("client_code", sa.String(40), nullable=False),
        sa.Column("roi_on_file", sa.Boolean, nullable=False),
        sa.Column("source_channel", sa.String(32), nullable=True),
        sa.Column("source_ts", sa.String(32), nullable=True),
        sa.Column("remind_due_at", UTC_TIME, nullable=True),
        sa.Column("overdue_due_at", UTC_TIME, nullable=True),
        sa.Column("overdue_since", UTC_TIME, nullable=True),
        sa.Column("acknowledged_by", sa.String(32), nullable=True),
        sa.Column("acknowledged_at", UTC_TIME, nullable=True),
        sa.Column("mediation_at", UTC_TIME, nullable=True),
        sa.Column("mediation_by", sa.String(32), nullable=True),
        sa.Column("resolved_by", sa.String(32), nullable=True),
        sa.Column("resolved_at", UTC_TIME, nullable=True),
        sa.Column("outcome", sa.String(30), nullable=True),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("reopened_at", UTC_TIME, nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
    )
    op.create_index("ix_escalation_status_property", "escalation", ["status", "property_id"])
    op.create_index("ix_escalation_raised_by", "escalation", ["raised_by"])
    op.create_index("ix_escalation_other_party", "escalation", ["other_party"])
    op.create_table(
        "escalation_note",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("escalation_id", BigId, sa.ForeignKey("escalation.id", ondelete="CASCADE"), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("added_by", sa.String(32), nullable=False),
        sa.Column("added_at", UTC_TIME, nullable=False),
    )
    op.create_index("ix_escalation_note_escalation_id", "escalation_note", ["escalation_id"])
    op.create_table(
        "escalation_step",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("escalation_id", BigId, sa.ForeignKey("escalation.id", ondelete="CASCADE"), nullable=False),
        sa.Column("step", sa.String(30), nullable=False),
        sa.Column("done_by", sa.String(32), nullable=False),
        sa.Column("done_at", UTC_TIME, nullable=False),
        sa.UniqueConstraint("escalation_id", "step", name="uq_escalation_step"),
    )
    op.create_index("ix_escalation_step_escalation_id", "escalation_step", ["escalation_id"])


def downgrade() -> None:
    op.drop_index("ix_escalation_step_escalation_id", table_name="escalation_step")
    op.drop_table("escalation_step")
    op.drop_index("ix_escalation_note_escalation_id", table_name="escalation_note")
    op.drop_table("escalation_note")
    op.drop_index("ix_escalation_other_party", table_name="escalation")
    op.drop_index("ix_escalation_raised_by", table_name="escalation")
    op.drop_index("ix_escalation_status_property", table_name="escalation")
    op.drop_table("escalation")
    # Their reminders, status cards and audit entries name subject_type 'escalation'; the reminders and cards
    # would point at nothing, so they go too (the audit log keeps its history).
    op.execute("DELETE FROM reminder WHERE subject_type = 'escalation'")
    op.execute("DELETE FROM posted_message WHERE subject_type = 'escalation'")
