"""People's own time zones, so a reminder reaches each person at the start of *their* working day.

The zone is the person's Slack profile time zone (users.info `tz`), cached per user id (the table the partner
network made for relationship owners, `partner_owner_zone`, is the cache of everyone's: a person has one zone
whatever role they are reminded in). It is read when a reminder row is created (reminder rows carry the zone the
engine checks working hours in); a person whose zone is not known yet, or not one this machine knows, gets the
community's (PORCHLIGHT_TIMEZONE). Slack is asked after an ack, never inside one (bot.slack.zones).

Working hours and public holidays stay the community's (PORCHLIGHT_WORKING_HOURS, PORCHLIGHT_HOLIDAYS): Slack's
profile says where someone's clock is, not which country's holidays they keep.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import PartnerOwnerZone as PersonZone

# A cached zone is asked again after this long: Slack moves a travelling person's zone with them.
FRESH_FOR = timedelta(days=7)


def _known(zone: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def zone_of(session: Session, user_id: str, *, fallback: ZoneInfo) -> ZoneInfo:
    """The person's cached zone, or `fallback` (the community's)."""
    cached = session.get(PersonZone, user_id)
    return (_known(cached.zone) if cached is not None else None) or fallback


def zones_of(session: Session, user_ids: Iterable[str], *, fallback: ZoneInfo) -> dict[str, ZoneInfo]:
    """Each person's zone (`fallback` for those not known), in one query."""
    wanted = list(dict.fromkeys(user_ids))
    found = {u: fallback for u in wanted}
    if wanted:
        for user_id, zone in session.execute(
            select(PersonZone.user_id, PersonZone.zone).where(PersonZone.user_id.in_(wanted))
        ):
            found[user_id] = _known(zone) or fallback
    return found


def to_ask(session: Session, user_ids: Iterable[str], *, now: datetime) -> list[str]:
    """Who of `user_ids` has no cached zone, or one older than FRESH_FOR: one query."""
    wanted = [u for u in dict.fromkeys(user_ids) if u]
    if not wanted:
        return []
    fresh = set(
        session.scalars(
            select(PersonZone.user_id).where(PersonZone.user_id.in_(wanted), PersonZone.checked_at > now - FRESH_FOR)
        )
    )
    return [u for u in wanted if u not in fresh]


def remember_zone(session: Session, user_id: str, zone: str, *, now: datetime) -> bool:
    """Cache a person's Slack time zone; False (nothing kept) if it is not a zone we know."""
    if _known(zone) is None:
        return False
    # One upsert: two instances learning the same person at once (both start and learn the coordinators') would
    # both find no row and the second INSERT would fail on the first's.
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(PersonZone)
    session.execute(
        insert.values(user_id=user_id, zone=zone, checked_at=now).on_conflict_do_update(
            index_elements=[PersonZone.user_id], set_={"zone": zone, "checked_at": now}
        )
    )
    return True
