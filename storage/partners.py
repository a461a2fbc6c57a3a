"""The partner network's own queries: contact rolled up per partner and local day, the partners a batch of
signals names, and "who is silent", each one statement on an index. The caller owns the transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, and_, case, exists, func, or_, select, union
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import Partner, PartnerChannel, PartnerContactDay, Property


@dataclass(frozen=True)
class DaySignal:
    """Signals of contact with one partner on one local day (a batch's count, its latest instant and kind)."""

    partner_id: int
    day: date
    signals: int
    last_at: datetime
    last_kind: str


def add_signals(session: Session, signals: Iterable[DaySignal]) -> int:
    """Upsert one row per (partner, day): the count grows, the latest instant wins. Returns rows touched."""
    merged: dict[tuple[int, date], DaySignal] = {}
    for s in signals:
        seen = merged.get((s.partner_id, s.day))
        if seen is None:
            merged[(s.partner_id, s.day)] = s
            continue
        latest = s if s.last_at >= seen.last_at else seen
        merged[(s.partner_id, s.day)] = DaySignal(s.partner_id, s.day, seen.signals + s.signals, latest.last_at,
                                                  latest.last_kind)  # fmt: skip
    if not merged:
        return 0
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(PartnerContactDay)
    newer = insert.excluded.last_at >= PartnerContactDay.last_at  # on a tie, the later write says how
    statement = insert.on_conflict_do_update(
        index_elements=["partner_id", "day"],
        set_={
            "signals": PartnerContactDay.signals + insert.excluded.signals,
            "last_at": func.max(PartnerContactDay.last_at, insert.excluded.last_at)
            if dialect == "sqlite"
            else func.greatest(PartnerContactDay.last_at, insert.excluded.last_at),
            "last_kind": _case(newer, insert.excluded.last_kind, PartnerContactDay.last_kind),
        },
    )
    # Rows in a fixed order, so two instances upserting the same partners never wait on each other in a circle.
    rows = [vars(s) for _, s in sorted(merged.items())]
    session.execute(statement, rows)
    return len(rows)


def _case(condition: Any, then: Any, otherwise: Any) -> Any:
    return case((condition, then), else_=otherwise)


def partners_of_channels(session: Session, channels: Iterable[str]) -> dict[str, list[int]]:
    """channel -> the active partners it is shared with, for the channels of one batch: one query."""
    wanted = sorted(set(channels))
    found: dict[str, list[int]] = {}
    if not wanted:
        return found
    listed = select(PartnerChannel.channel.label("channel"), PartnerChannel.partner_id.label("partner_id")).where(
        PartnerChannel.channel.in_(wanted)
    )
    # A management company's properties' shared channels are its channels too (set with /vacancy property).
    of_properties = select(Property.shared_channel, Property.partner_id).where(
        Property.shared_channel.in_(wanted), Property.partner_id.is_not(None)
    )
    either = union(listed, of_properties).subquery()
    rows = session.execute(
        select(either.c.channel, either.c.partner_id)
        .join(Partner, Partner.id == either.c.partner_id)
        .where(Partner.active.is_(True))
    )
    for channel, partner_id in rows:
        found.setdefault(channel, []).append(partner_id)
    return found


def channels_of(session: Session, partner_ids: Sequence[int]) -> dict[int, list[str]]:
    """partner id -> its shared channels (listed with it, then its properties'), each once."""
    found: dict[int, list[str]] = {}
    if not partner_ids:
        return found
    wanted = list(partner_ids)
    listed = session.execute(
        select(PartnerChannel.partner_id, PartnerChannel.channel)
        .where(PartnerChannel.partner_id.in_(wanted))
        .order_by(PartnerChannel.id)
    ).all()
    of_properties = session.execute(
        select(Property.partner_id, Property.shared_channel)
        .where(Property.partner_id.in_(wanted), Property.shared_channel.is_not(None))
        .order_by(Property.id)
    ).all()
    for pid, channel in [*listed, *of_properties]:
        if pid is not None and channel and channel not in found.setdefault(pid, []):
            found[pid].append(channel)
    return found


def partners_of_teams(session: Session, teams: Iterable[str]) -> dict[str, int]:
    """Slack team id -> its active partner, for the teams of one batch: one query on a unique index."""
    wanted = sorted({t for t in teams if t})
    if not wanted:
        return {}
    rows = session.execute(
        select(Partner.slack_team_id, Partner.id).where(Partner.slack_team_id.in_(wanted), Partner.active.is_(True))
    )
    return {team: partner_id for team, partner_id in rows if team}


def last_heard(session: Session, partner_id: int) -> datetime | None:
    """When we last heard from one partner: the newest day's row, one descent of the primary key."""
    return session.scalar(
        select(PartnerContactDay.last_at)
        .where(PartnerContactDay.partner_id == partner_id)
        .order_by(PartnerContactDay.day.desc())
        .limit(1)
    )


def last_heard_column() -> Any:
    """A correlated "last heard" for a query over partners: per partner, one indexed top-1 lookup."""
    return (
        select(PartnerContactDay.last_at)
        .where(PartnerContactDay.partner_id == Partner.id)
        .order_by(PartnerContactDay.day.desc())
        .limit(1)
        .correlate(Partner)
        .scalar_subquery()
    )


def heard_since(since: date) -> Any:
    """ "We heard from this partner on or after `since`": an index range probe per partner."""
    return exists().where(PartnerContactDay.partner_id == Partner.id, PartnerContactDay.day >= since)


def silent_since(since: date, *, owners: Sequence[str | None] | None = None) -> Select[Partner]:
    """Active partners with no contact on or after the local day `since` (this month: its first day).

    `owners` narrows to partners owned by these users (None in it: partners nobody owns).
    """
    query = select(Partner).where(Partner.active.is_(True), ~heard_since(since))
    if owners is not None:
        named = [o for o in owners if o is not None]
        either = [Partner.owner_id.in_(named)] if named else []
        if None in owners:
            either.append(Partner.owner_id.is_(None))
        query = query.where(or_(*either)) if either else query.where(Partner.id.is_(None))
    return query.order_by(Partner.name)


def contacted_between(session: Session, first: date, last: date) -> set[int]:
    """The partners heard from on a local day in [first, last]: one range read of the day index."""
    return set(
        session.scalars(
            select(PartnerContactDay.partner_id)
            .where(and_(PartnerContactDay.day >= first, PartnerContactDay.day <= last))
            .distinct()
        )
    )
