"""properties, partners, cards, referrals, scheduled runs

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "partner",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("slack_team_id", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
        sa.UniqueConstraint("slack_team_id"),
    )
    op.create_table(
        "scheduled_run",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("job", sa.String(length=40), nullable=False),
        sa.Column("period_key", sa.String(length=120), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("job", "period_key", name="uq_scheduled_run_period"),
    )
    op.create_table(
        "property",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("area", sa.String(length=60), nullable=False),
        sa.Column("partner_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("shared_channel", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "property_manager",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("property_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["property_id"], ["property.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("property_id", "user_id", name="uq_property_manager"),
    )
    with op.batch_alter_table("property_manager", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_property_manager_property_id"), ["property_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_property_manager_user_id"), ["user_id"], unique=False)

    op.create_table(
        "referral",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("vacancy_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("client_code", sa.String(length=40), nullable=False),
        sa.Column("household_size", sa.Integer(), nullable=False),
        sa.Column("subsidy", sa.String(length=20), nullable=False),
        sa.Column("roi_on_file", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("denial_reason", sa.String(length=40), nullable=True),
        sa.Column("denial_note", sa.String(length=500), nullable=False),
        sa.Column("move_in_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_by_team", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=32), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["vacancy_id"],
            ["vacancy.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referral_created_by"), ["created_by"], unique=False)
        batch_op.create_index("ix_referral_vacancy_status", ["vacancy_id", "status"], unique=False)

    op.create_table(
        "vacancy_card",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("vacancy_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("ts", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["vacancy_id"], ["vacancy.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("vacancy_id", "channel", name="uq_vacancy_card_channel"),
    )
    with op.batch_alter_table("vacancy_card", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vacancy_card_vacancy_id"), ["vacancy_id"], unique=False)

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("thread_ts", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("detail", sa.JSON(), nullable=False, server_default=sa.text("'{}'")))

    op.execute(
        "INSERT INTO vacancy_card (vacancy_id, channel, ts) "
        "SELECT id, card_channel, card_ts FROM vacancy WHERE card_ts IS NOT NULL AND card_channel IS NOT NULL"
    )
    with op.batch_alter_table("vacancy", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("property_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True)
        )
        batch_op.add_column(sa.Column("confirm_asked_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("status_changed_by", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch_op.create_index(batch_op.f("ix_vacancy_property_id"), ["property_id"], unique=False)
        batch_op.create_foreign_key("fk_vacancy_property_id", "property", ["property_id"], ["id"])
        batch_op.drop_column("card_channel")  # moved to vacancy_card just above
        batch_op.drop_column("card_ts")


def downgrade() -> None:
    with op.batch_alter_table("vacancy", schema=None) as batch_op:
        batch_op.add_column(sa.Column("card_ts", sa.VARCHAR(length=32), nullable=True))
        batch_op.add_column(sa.Column("card_channel", sa.VARCHAR(length=32), nullable=True))
        batch_op.drop_constraint("fk_vacancy_property_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_vacancy_property_id"))
        batch_op.drop_column("version")
        batch_op.drop_column("status_changed_by")
        batch_op.drop_column("confirm_asked_at")
        batch_op.drop_column("property_id")

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("detail")
        batch_op.drop_column("thread_ts")

    with op.batch_alter_table("vacancy_card", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vacancy_card_vacancy_id"))

    op.drop_table("vacancy_card")
    with op.batch_alter_table("referral", schema=None) as batch_op:
        batch_op.drop_index("ix_referral_vacancy_status")
        batch_op.drop_index(batch_op.f("ix_referral_created_by"))

    op.drop_table("referral")
    with op.batch_alter_table("property_manager", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_property_manager_user_id"))
        batch_op.drop_index(batch_op.f("ix_property_manager_property_id"))

    op.drop_table("property_manager")
    op.drop_table("property")
    op.drop_table("scheduled_run")
    op.drop_table("partner")
