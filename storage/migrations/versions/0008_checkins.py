"""Weekly check-ins and recurring meetings

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # filled by the feature's work in progress


def downgrade() -> None:
    pass
