"""Each person's own time zone, as their Slack profile gives it, cached for the reminders that reach them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from bot.domain import people, referral_deadlines
from bot.domain.working_time import WorkingHours
from storage.models import Referral, Reminder, Vacancy

CHICAGO, LONDON = ZoneInfo("America/Chicago"), ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 23, 21, 0, tzinfo=UTC)  # Monday 15:00 in Chicago, 21:00 in London


def test_a_known_zone_is_kept_and_anyone_else_has_the_communitys(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        assert people.remember_zone(session, "U0COORD", "Europe/London", now=NOW)
        assert not people.remember_zone(session, "U0ODD", "Mars/Olympus_Mons", now=NOW)  # nothing kept
    with session_factory() as session:
        assert people.zone_of(session, "U0COORD", fallback=CHICAGO) == LONDON
        assert people.zones_of(session, ["U0COORD", "U0ODD", "U0COORD"], fallback=CHICAGO) == {
            "U0COORD": LONDON, "U0ODD": CHICAGO}  # fmt: skip


def test_slack_is_asked_again_only_for_unknown_or_week_old_zones(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        people.remember_zone(session, "U0COORD", "Europe/London", now=NOW)
    with session_factory() as session:
        assert people.to_ask(session, ["U0COORD", "U0NEW", ""], now=NOW + timedelta(days=6)) == ["U0NEW"]
        assert people.to_ask(session, ["U0COORD"], now=NOW + people.FRESH_FOR) == ["U0COORD"]
    with session_factory.begin() as session:  # asked again: they have moved
        people.remember_zone(session, "U0COORD", "America/New_York", now=NOW + people.FRESH_FOR)
    with session_factory() as session:
        assert people.zone_of(session, "U0COORD", fallback=CHICAGO) == ZoneInfo("America/New_York")


def test_a_referrals_coordinators_are_each_told_in_their_own_zone(session_factory: sessionmaker[Session]) -> None:
    deadlines = referral_deadlines.AnswerDeadlines(hours=WorkingHours(country="US"), zone=CHICAGO,
                                                   coordinators=("U0COORD", "U0OTHER"))  # fmt: skip
    with session_factory.begin() as session:
        people.remember_zone(session, "U0COORD", "Europe/London", now=NOW)
        vacancy = Vacancy(property_name="Maple Court", unit="1A", bedrooms=1, rent_cents=1, contact="office",
                          available_on=NOW.date(), created_by="U0CASEMGR", created_by_team="T0PORCH")  # fmt: skip
        session.add(vacancy)
        session.flush()
        referral = Referral(vacancy_id=vacancy.id, client_code="CM-1", household_size=1, created_by="U0CASEMGR",
                            created_by_team="T0PORCH")  # fmt: skip
        session.add(referral)
        session.flush()
        referral_deadlines.start(session, referral, deadlines=deadlines, managers_channel="C0SHARED", now=NOW)
        rows = {r.recipient: (r.zone, r.due_at) for r in session.query(Reminder)}
    # 48 business hours: Wednesday 15:00 in Chicago, which is 21:00 in London.
    assert rows["U0OTHER"] == ("America/Chicago", datetime(2026, 11, 25, 21, 0, tzinfo=UTC))
    # In London the next working moment is Friday 9:00: the community's holidays (Thanksgiving) are everyone's.
    assert rows["U0COORD"] == ("Europe/London", datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
    assert rows["C0SHARED"][0] == "America/Chicago"  # the managers are asked in the shared channel's thread
