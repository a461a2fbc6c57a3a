"""An index for the outbox's per-channel ordering check

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_channel_pending", "outbox", ["channel", "status", "id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_channel_pending", table_name="outbox")
