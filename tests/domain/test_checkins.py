"""Check-ins, specified: the sections and their order, items carried over with their age until someone closes
them, who may add, how an agenda groups what it is compiled from, when the day-before reminder and the summary
come, and what a holiday does to a meeting."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.domain import checkins, properties
from bot.domain.access import Roles
from bot.domain.actors import Actor
from bot.domain.checkins import MeetingKind, Outcome, Section
from bot.domain.schedule import HolidayRule
from bot.errors import FormErrors, NotAllowed
from storage.models import Agenda, Meeting, Property, Reminder

CHICAGO = ZoneInfo("America/Chicago")
COORDINATOR = Actor("U0COORD", "T0PORCH")
RSC = Actor("U0RSC", "T0PORCH")
PM = Actor("W0PARTNERPM", "T0PARTNER")
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # Monday 9:00 in Chicago
WEDNESDAY_TEN = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)  # Wednesday 10:00 in Chicago


def listed(session: Session) -> Property:
    draft = properties.PropertyDraft(name="Maple Court", address="100 Maple Ave", area="Northside",
                                     company="Maple Management", company_team="T0PARTNER", managers=(PM.user_id,),
                                     shared_channel="C0SHARED")  # fmt: skip
    return properties.save_property(session, properties.check_property(draft), actor=COORDINATOR, now=NOW)


def meeting_on(session: Session, weekday: int = 2, rule: HolidayRule = HolidayRule.NEXT_BUSINESS_DAY) -> Meeting:
    setup = checkins.Setup(weekday=weekday, at=time(10, 0), zone="America/Chicago", holiday_rule=rule,
                           members=(RSC.user_id,))  # fmt: skip
    found = checkins.set_property_checkin(session, listed(session), setup, actor=COORDINATOR, now=NOW, country="US")
    assert found is not None
    return found


def raise_item(session: Session, meeting: Meeting, section: Section, unit: str, *, at: datetime = NOW) -> int:
    facts = checkins.check_item(checkins.ItemDraft(section=str(section), unit=unit, note="To discuss"),
                                kind=MeetingKind.PROPERTY)  # fmt: skip
    return checkins.add_item(session, meeting, facts, actor=RSC, now=at).id


def held(session: Session, meeting: Meeting, at: datetime) -> checkins.AgendaView:
    """The meeting's agenda, compiled and posted at `at` (as the tick does), then read as its message shows it."""
    key, when = checkins.next_occurrence(meeting, after=at - timedelta(minutes=1), country="US") or ("", at)
    result = checkins.hold(session, meeting.id, key, now=when, country="US")
    agenda = session.get(Agenda, result["agenda"])
    assert agenda is not None
    return checkins.posted_view(session, agenda, country="US")


def lines_of(view: checkins.AgendaView) -> list[checkins.Line]:
    return [line for _, lines in view.sections for line in lines if line.item_id is not None]


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory.begin() as open_session:
        yield open_session


# -- sections -----------------------------------------------------------------------------------------------------


def test_a_property_check_in_takes_its_six_sections_in_the_order_the_meeting_does() -> None:
    assert [checkins.SECTION_LABELS[s] for s in checkins.SECTIONS[MeetingKind.PROPERTY]] == [
        "Resident nonpayment / arrears", "Lease violations (and notices issued)", "Addressing challenging behaviours",
        "Move-ins / move-outs", "Resident event planning", "Other property issues",
    ]  # fmt: skip
    assert checkins.SECTIONS[MeetingKind.CONSULTATION] == (Section.NEW_CASES, Section.UPDATES, Section.CLOSING)


def test_an_item_must_name_a_section_of_its_own_meeting_and_its_note_passes_the_detector() -> None:
    with pytest.raises(FormErrors) as refused:
        checkins.check_item(checkins.ItemDraft(section="new_cases", note="x"), kind=MeetingKind.PROPERTY)
    assert set(refused.value.errors) == {"section"}
    with pytest.raises(FormErrors) as personal:
        checkins.check_item(checkins.ItemDraft(section="arrears", note="Call Jane Doe on 555-123-4567"),
                            kind=MeetingKind.PROPERTY)  # fmt: skip
    assert set(personal.value.errors) == {"note"}


# -- the agenda's compile -------------------------------------------------------------------------------------------


def test_the_agenda_groups_items_under_their_sections_in_order_oldest_first_within_each(session: Session) -> None:
    meeting = meeting_on(session)
    raise_item(session, meeting, Section.OTHER, "1A")
    raise_item(session, meeting, Section.ARREARS, "2B", at=NOW + timedelta(hours=1))
    raise_item(session, meeting, Section.ARREARS, "3C", at=NOW + timedelta(hours=2))
    view = held(session, meeting, WEDNESDAY_TEN)
    grouped = {section: [line.unit for line in lines] for section, lines in view.sections}
    assert [s for s, _ in view.sections] == list(checkins.SECTIONS[MeetingKind.PROPERTY])
    assert grouped[Section.ARREARS] == ["2B", "3C"] and grouped[Section.OTHER] == ["1A"]
    assert grouped[Section.EVENTS] == []  # shown as "nothing this week" so the meeting still covers it
    assert [line.number for line in lines_of(view)] == [1, 2, 3]  # numbered in the order they are taken


def test_an_item_raised_after_the_meeting_is_over_waits_for_the_next_agenda(session: Session) -> None:
    meeting = meeting_on(session)
    held(session, meeting, WEDNESDAY_TEN)
    during = raise_item(session, meeting, Section.LEASE, "4D", at=WEDNESDAY_TEN + timedelta(minutes=30))
    after = raise_item(session, meeting, Section.LEASE, "5E", at=WEDNESDAY_TEN + checkins.MEETING_LENGTH)
    live = checkins.entry_on_live_agenda(session, during, now=WEDNESDAY_TEN + timedelta(minutes=31))
    assert live is not None and live[0].position == 0  # joined the agenda being taken
    assert checkins.entry_on_live_agenda(session, after, now=WEDNESDAY_TEN + checkins.MEETING_LENGTH) is None


# -- carry-over, age and closing ------------------------------------------------------------------------------------


def test_what_is_not_closed_carries_over_with_its_age_and_a_closed_item_does_not_come_back(session: Session) -> None:
    meeting = meeting_on(session)
    kept = raise_item(session, meeting, Section.ARREARS, "4A")
    closed = raise_item(session, meeting, Section.LEASE, "12B")
    first = held(session, meeting, WEDNESDAY_TEN)
    entries = {line.item_id: line.entry_id for line in lines_of(first)}
    checkins.mark(session, entries[closed] or 0, Outcome.CLOSED, actor=PM, now=WEDNESDAY_TEN + timedelta(minutes=5))
    with pytest.raises(checkins.AlreadyDone, match="already closed by <@W0PARTNERPM>"):
        checkins.mark(session, entries[closed] or 0, Outcome.CARRIED, actor=RSC, now=WEDNESDAY_TEN)
    assert checkins.summarise(session, first.agenda_id or 0, now=WEDNESDAY_TEN + checkins.MEETING_LENGTH)
    assert not checkins.summarise(session, first.agenda_id or 0, now=WEDNESDAY_TEN + checkins.MEETING_LENGTH)

    for weeks in (1, 2):
        later = held(session, meeting, WEDNESDAY_TEN + timedelta(weeks=weeks))
        [line] = lines_of(later)
        assert (line.item_id, line.weeks, line.carried) == (kept, weeks, weeks)
        checkins.summarise(session, later.agenda_id or 0, now=later.held_at + checkins.MEETING_LENGTH)


# -- who may add ------------------------------------------------------------------------------------------------


def test_our_staff_the_meetings_members_and_its_propertys_managers_may_add_and_nobody_else(session: Session) -> None:
    from types import SimpleNamespace

    from handlers.checkins import require_part

    meeting = meeting_on(session)
    deps = SimpleNamespace(roles=Roles(coordinators=frozenset({COORDINATOR.user_id}), home_team="T0PORCH"))
    for allowed in (COORDINATOR, RSC, PM, Actor("U0CASEMGR", "T0PORCH"), Actor("W0OTHERPM", "T0PARTNER")):
        require_part(session, deps, allowed, meeting)  # type: ignore[arg-type]  # the company's people too
    for refused in (Actor("W0STRANGER", "T0UNKNOWN"), Actor("W0OTHER", None)):
        with pytest.raises(NotAllowed):
            require_part(session, deps, refused, meeting)  # type: ignore[arg-type]


# -- when things happen -----------------------------------------------------------------------------------------


def test_the_day_before_reminder_comes_the_business_day_before_and_the_summary_an_hour_after(
    session: Session,
) -> None:
    monday = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert checkins.day_before(monday, CHICAGO, "US") == datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # Friday
    friday = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # the day after Thanksgiving
    assert checkins.day_before(friday, CHICAGO, "US") == datetime(2026, 11, 25, 16, 0, tzinfo=UTC)  # Wednesday

    meeting = meeting_on(session)
    [reminder] = session.scalars(select(Reminder).where(Reminder.kind == checkins.REMIND_DAY_BEFORE)).all()
    assert reminder.due_at.replace(tzinfo=UTC) == datetime(2026, 11, 24, 16, 0, tzinfo=UTC)  # Tuesday 10:00
    view = held(session, meeting, WEDNESDAY_TEN)
    summary = session.scalars(select(Reminder).where(Reminder.kind == checkins.SUMMARISE)).one()
    assert summary.subject_id == view.agenda_id
    assert summary.due_at.replace(tzinfo=UTC) == WEDNESDAY_TEN + timedelta(hours=1)  # the meeting is over


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (HolidayRule.NEXT_BUSINESS_DAY, datetime(2026, 11, 27, 16, 0, tzinfo=UTC)),  # Friday after Thanksgiving
        (HolidayRule.SKIP, datetime(2026, 12, 3, 16, 0, tzinfo=UTC)),  # the next Thursday
    ],
)
def test_a_holiday_moves_a_meeting_to_the_next_business_day_or_skips_it(
    session: Session, rule: HolidayRule, expected: datetime
) -> None:
    thursdays = meeting_on(session, weekday=3, rule=rule)
    found = checkins.next_occurrence(thursdays, after=NOW, country="US")
    assert found is not None and found[1] == expected
