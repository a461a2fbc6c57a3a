"""One table of messages kept in place (replacing vacancy_card), reminders as rows, schedules per subject

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer, "sqlite")
UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "posted_message",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("subject_type", sa.String(30), nullable=False),
        sa.Column("subject_id", sa.BigInteger, nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("role", sa.String(30), nullable=False),
        sa.Column("ts", sa.String(32), nullable=False),
        sa.Column("posted_at", UTC_TIME, nullable=False),
        sa.UniqueConstraint("subject_type", "subject_id", "channel", "role", name="uq_posted_message_subject"),
    )
    op.create_index("ix_posted_message_channel_ts", "posted_message", ["channel", "ts"])
    # Every vacancy card already posted stays edited in place: it becomes the vacancy's "card" in that channel.
    op.execute(
        "INSERT INTO posted_message (subject_type, subject_id, channel, role, ts, posted_at) "
        "SELECT 'vacancy', vacancy_card.vacancy_id, vacancy_card.channel, 'card', vacancy_card.ts, vacancy.updated_at "
        "FROM vacancy_card JOIN vacancy ON vacancy.id = vacancy_card.vacancy_id"
    )
    op.drop_table("vacancy_card")

    op.create_table(
        "reminder",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("subject_type", sa.String(30), nullable=False),
        sa.Column("subject_id", sa.BigInteger, nullable=False),
        sa.Column("recipient", sa.String(32), nullable=False),
        sa.Column("zone", sa.String(64), nullable=False),
        sa.Column("due_at", UTC_TIME, nullable=False),
        sa.Column("sent_count", sa.Integer, nullable=False),
        sa.Column("max_sends", sa.Integer, nullable=False),
        sa.Column("snoozed_until", UTC_TIME, nullable=True),
        sa.Column("done_at", UTC_TIME, nullable=True),
        sa.Column("last_sent_at", UTC_TIME, nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.UniqueConstraint("kind", "subject_type", "subject_id", "recipient", name="uq_reminder_subject"),
    )
    op.create_index("ix_reminder_due", "reminder", ["done_at", "due_at"])
    op.create_index("ix_reminder_subject", "reminder", ["subject_type", "subject_id"])

    op.create_table(
        "schedule",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("job", sa.String(40), nullable=False),
        sa.Column("subject_type", sa.String(30), nullable=False),
        sa.Column("subject_id", sa.BigInteger, nullable=False),
        sa.Column("rule", sa.JSON, nullable=False),
        sa.Column("next_due_at", UTC_TIME, nullable=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.UniqueConstraint("job", "subject_type", "subject_id", name="uq_schedule_subject"),
    )
    op.create_index("ix_schedule_due", "schedule", ["active", "next_due_at"])


def downgrade() -> None:
    op.drop_index("ix_schedule_due", table_name="schedule")
    op.drop_table("schedule")
    op.drop_index("ix_reminder_subject", table_name="reminder")
    op.drop_index("ix_reminder_due", table_name="reminder")
    op.drop_table("reminder")
    op.create_table(
        "vacancy_card",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("vacancy_id", BigId, sa.ForeignKey("vacancy.id", ondelete="CASCADE"), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("ts", sa.String(32), nullable=False),
        sa.UniqueConstraint("vacancy_id", "channel", name="uq_vacancy_card_channel"),
    )
    op.create_index("ix_vacancy_card_vacancy_id", "vacancy_card", ["vacancy_id"])
    op.execute(
        "INSERT INTO vacancy_card (vacancy_id, channel, ts) SELECT subject_id, channel, ts FROM posted_message "
        "WHERE subject_type = 'vacancy' AND role = 'card' AND subject_id IN (SELECT id FROM vacancy)"
    )
    op.drop_index("ix_posted_message_channel_ts", table_name="posted_message")
    op.drop_table("posted_message")
