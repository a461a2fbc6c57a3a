"""The partner network: owners, channels, contact as a per-partner-per-day rollup (replacing the per-message
contact log), logged touches, owners' time zones, nudge state and broadcasts

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer, "sqlite")
UTC_TIME = sa.DateTime(timezone=True)


def _zone() -> ZoneInfo:
    # A migration has no settings object; the community's zone decides which local day a contact fell on.
    try:
        return ZoneInfo(os.environ.get("PORCHLIGHT_TIMEZONE") or "America/Chicago")
    except (KeyError, ValueError):
        return ZoneInfo("America/Chicago")


def _utc(value: object) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def upgrade() -> None:
    with op.batch_alter_table("partner") as batch:
        batch.add_column(sa.Column("owner_id", sa.String(32), nullable=True))
        batch.add_column(sa.Column("contact_users", sa.JSON, nullable=False, server_default="[]"))
        batch.add_column(sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()))
        batch.add_column(sa.Column("updated_at", UTC_TIME, nullable=True))
        batch.create_index("ix_partner_owner_id", ["owner_id"])

    op.create_table(
        "partner_channel",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("partner_id", BigId, sa.ForeignKey("partner.id", ondelete="CASCADE"), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.UniqueConstraint("channel", "partner_id", name="uq_partner_channel"),
    )
    op.create_index("ix_partner_channel_partner_id", "partner_channel", ["partner_id"])
    # A management company's properties' shared channels are that company's channels with us.
    op.execute(
        "INSERT INTO partner_channel (partner_id, channel) SELECT DISTINCT partner_id, shared_channel FROM property "
        "WHERE partner_id IS NOT NULL AND shared_channel IS NOT NULL"
    )

    op.create_table(
        "partner_contact_day",
        sa.Column("partner_id", BigId, sa.ForeignKey("partner.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("signals", sa.Integer, nullable=False),
        sa.Column("last_at", UTC_TIME, nullable=False),
        sa.Column("last_kind", sa.String(20), nullable=False),
    )
    op.create_index("ix_partner_contact_day_day", "partner_contact_day", ["day", "partner_id"])
    _contacts_to_days()
    with op.batch_alter_table("contact") as batch:
        batch.drop_index("ix_contact_team_id")
        batch.drop_index("ix_contact_at")
    op.drop_table("contact")

    op.create_table(
        "partner_touch",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("partner_id", BigId, sa.ForeignKey("partner.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("logged_by", sa.String(32), nullable=False),
        sa.Column("at", UTC_TIME, nullable=False),
    )
    op.create_index("ix_partner_touch_partner_id", "partner_touch", ["partner_id"])
    op.create_table(
        "partner_owner_zone",
        sa.Column("user_id", sa.String(32), primary_key=True),
        sa.Column("zone", sa.String(64), nullable=False),
        sa.Column("checked_at", UTC_TIME, nullable=False),
    )
    op.create_table(
        "partner_nudge",
        sa.Column("partner_id", BigId, sa.ForeignKey("partner.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("snoozed_until", UTC_TIME, nullable=True),
        sa.Column("by", sa.String(32), nullable=True),
        sa.Column("updated_at", UTC_TIME, nullable=False),
    )
    op.create_table(
        "partner_broadcast",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("audience", sa.JSON, nullable=False),
        sa.Column("channels", sa.JSON, nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("created_by", sa.String(32), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("sent_at", UTC_TIME, nullable=True),
        sa.Column("progress_channel", sa.String(32), nullable=True),
    )


def _contacts_to_days() -> None:
    """Each logged message becomes a signal on its partner's local day: the partner whose channel it was in, or
    whose Slack team the speaker belonged to. Messages that name no partner were never contact with one."""
    bind = op.get_bind()
    by_channel: dict[str, set[int]] = defaultdict(set)
    for partner_id, channel in bind.execute(sa.text("SELECT partner_id, channel FROM partner_channel")):
        by_channel[channel].add(partner_id)
    by_team = {team: pid for pid, team in bind.execute(sa.text("SELECT id, slack_team_id FROM partner"))}
    zone = _zone()
    days: dict[tuple[int, object], list[object]] = {}
    rows = bind.execute(sa.text("SELECT channel, team_id, kind, at FROM contact ORDER BY at"))
    for channel, team, kind, at in rows:
        when = _utc(at)
        partners = set(by_channel.get(channel, ()))
        if team in by_team:
            partners.add(by_team[team])
        for partner_id in partners:
            key = (partner_id, when.astimezone(zone).date())
            seen = days.setdefault(key, [0, when, kind])
            seen[0] = int(seen[0]) + 1  # type: ignore[call-overload]
            seen[1], seen[2] = when, kind
    table = sa.table(
        "partner_contact_day", sa.column("partner_id"), sa.column("day"), sa.column("signals"),
        sa.column("last_at", UTC_TIME), sa.column("last_kind"),
    )  # fmt: skip
    if days:
        op.bulk_insert(
            table,
            [{"partner_id": p, "day": d, "signals": n, "last_at": at, "last_kind": k}
             for (p, d), (n, at, k) in days.items()],
        )  # fmt: skip


def downgrade() -> None:
    op.drop_table("partner_broadcast")
    op.drop_table("partner_nudge")
    op.drop_table("partner_owner_zone")
    op.drop_index("ix_partner_touch_partner_id", table_name="partner_touch")
    op.drop_table("partner_touch")
    op.create_table(
        "contact",
        sa.Column("id", BigId, nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("ts", sa.String(length=32), nullable=False),
        sa.Column("thread_ts", sa.String(length=32), nullable=True),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "ts", name="uq_contact_channel_ts"),
    )
    with op.batch_alter_table("contact") as batch:
        batch.create_index("ix_contact_at", ["at"], unique=False)
        batch.create_index("ix_contact_team_id", ["team_id"], unique=False)
    # The messages themselves are gone; each partner's day comes back as one contact at its last signal, in the
    # partner's first channel, so "when did we last hear from them" reads the same as before.
    bind = op.get_bind()
    first_channel: dict[int, str] = {}
    for partner_id, channel in bind.execute(sa.text("SELECT partner_id, channel FROM partner_channel ORDER BY id")):
        first_channel.setdefault(partner_id, channel)
    teams: dict[int, str | None] = {
        row[0]: row[1] for row in bind.execute(sa.text("SELECT id, slack_team_id FROM partner"))
    }
    contact = sa.table(
        "contact", sa.column("channel"), sa.column("ts"), sa.column("thread_ts"), sa.column("user_id"),
        sa.column("team_id"), sa.column("kind"), sa.column("at", UTC_TIME),
    )  # fmt: skip
    restored, taken = [], set()
    for partner_id, _day, last_at, kind in bind.execute(
        sa.text("SELECT partner_id, day, last_at, last_kind FROM partner_contact_day ORDER BY partner_id, day")
    ):
        when = _utc(last_at)
        channel = first_channel.get(partner_id, f"P{partner_id}")[:32]
        ts = f"{when.timestamp():.6f}"
        if (channel, ts) in taken:
            continue
        taken.add((channel, ts))
        restored.append({"channel": channel, "ts": ts, "thread_ts": None, "user_id": "migrated",
                         "team_id": teams.get(partner_id), "kind": kind[:20], "at": when})  # fmt: skip
    if restored:
        op.bulk_insert(contact, restored)
    op.drop_index("ix_partner_contact_day_day", table_name="partner_contact_day")
    op.drop_table("partner_contact_day")
    op.drop_index("ix_partner_channel_partner_id", table_name="partner_channel")
    op.drop_table("partner_channel")
    with op.batch_alter_table("partner") as batch:
        batch.drop_index("ix_partner_owner_id")
        batch.drop_column("updated_at")
        batch.drop_column("active")
        batch.drop_column("contact_users")
        batch.drop_column("owner_id")
