"""Recurring meetings with an agenda: each property's check-in (its manager and its resident services coordinators)
and the partner agencies' complex case consultation, which is the same thing with its own channel, members and
sections.

How a meeting runs, on the engine's parts (bot.delivery):
- When it is held is a `schedule` row (a WeeklyOn rule: weekday, time, zone, every N weeks, holiday rule), so the
  tick runs `hold` once per period key, whatever the restarts, DST changes, holidays or instances.
- The next occurrence is planned ahead as an agenda row, and the day-before reminder is a reminder row on it: a
  holiday that moves the meeting moves its reminder too, and the reminder is sent once (compare-and-set).
- `hold` compiles the agenda (open items in section order, the board's move-ins and move-outs since the last
  meeting, open escalations by case number), posts it as a kept message, and adds a reminder row due an hour
  after the meeting time that edits it in place into its summary. What is not closed is simply still open: the
  next agenda shows it again, with its age.

Agendas go to shared channels: items show units and client reference codes only; notes (which passed the
personal-data check) go in the agenda's thread.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Select, delete, func, insert, select, update
from sqlalchemy.orm import Session

from bot.domain import escalations, numbers, privacy
from bot.domain.actors import SYSTEM, Actor
from bot.domain.schedule import HolidayRule, WeeklyOn, is_business_day, local_instant, next_due
from bot.errors import FormErrors, UserError
from storage import audit, outbox, reminders, schedules
from storage import checkins as queries
from storage.models import Agenda, AgendaEntry, CheckinItem, Meeting, Property, PropertyManager, Schedule

log = logging.getLogger("porchlight.checkins")

SUBJECT = "meeting"  # the schedule's subject
AGENDA_SUBJECT, AGENDA_ROLE = "agenda", "agenda"  # the kept message: one per agenda
AGENDA_JOB = "checkin.agenda"  # scheduled job: compile and post the period's agenda
AGENDA_POST = "checkin.agenda"  # outbox kind: the agenda (or its summary), kept in place
NOTES_POST = "checkin.notes"  # outbox kind: the items' notes, in the agenda's thread
DAY_BEFORE_POST = "checkin.day_before"  # outbox kind: "add your items", in the meeting's channel
ITEM_ADDED = "checkin.item_added"  # outbox kind: the person who added an item is told, privately
LATE_NOTE_POST = "checkin.late_note"  # outbox kind: a late item's note, in its live agenda's thread
REMIND_DAY_BEFORE = "checkin.day_before"  # reminder kind, on a planned agenda
SUMMARISE = "checkin.summarise"  # reminder kind, on a posted agenda: edit it into its summary
MEETING_LENGTH = timedelta(hours=1)  # the agenda becomes a summary this long after the meeting time
NOTE_LIMIT = 500
PLAN_AHEAD_DAYS = 800  # as far as schedule.next_due looks (every N weeks, holidays)


class MeetingKind(StrEnum):
    PROPERTY = "property_checkin"
    CONSULTATION = "case_consultation"


class Section(StrEnum):
    ARREARS = "arrears"
    LEASE = "lease_violations"
    BEHAVIOUR = "behaviour"
    MOVES = "moves"
    EVENTS = "events"
    OTHER = "other"
    NEW_CASES = "new_cases"
    UPDATES = "updates"
    CLOSING = "closing"


SECTION_LABELS = {
    Section.ARREARS: "Resident nonpayment / arrears",
    Section.LEASE: "Lease violations (and notices issued)",
    Section.BEHAVIOUR: "Addressing challenging behaviours",
    Section.MOVES: "Move-ins / move-outs",
    Section.EVENTS: "Resident event planning",
    Section.OTHER: "Other property issues",
    Section.NEW_CASES: "New cases",
    Section.UPDATES: "Updates",
    Section.CLOSING: "Closing",
}
# Each kind's sections, in the order the meeting takes them.
SECTIONS = {
    MeetingKind.PROPERTY: (Section.ARREARS, Section.LEASE, Section.BEHAVIOUR, Section.MOVES, Section.EVENTS,
                           Section.OTHER),
    MeetingKind.CONSULTATION: (Section.NEW_CASES, Section.UPDATES, Section.CLOSING),
}  # fmt: skip
# Where the open escalations of a property are listed (issue 10's cases carry no section of their own).
ESCALATIONS_SECTION = Section.OTHER


class AgendaStatus(StrEnum):
    PLANNED = "planned"  # the next occurrence: its day-before reminder hangs on it
    POSTED = "posted"  # compiled and in the channel; items are being taken
    SUMMARISED = "summarised"  # the meeting is over: the message is its summary
    MISSED = "missed"  # its time passed while Porchlight was down longer than the catch-up window


class Outcome(StrEnum):
    PENDING = "pending"
    DISCUSSED = "discussed"
    CARRIED = "carried"
    CLOSED = "closed"


OUTCOME_WORDS = {Outcome.DISCUSSED: "discussed", Outcome.CARRIED: "carried over", Outcome.CLOSED: "closed"}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_TIME = re.compile(r"^\s*([01]?\d|2[0-3])[:.]([0-5]\d)\s*$")


# -- setting a meeting up -----------------------------------------------------------------------------------------

# Field names are the form's block ids, so errors land under their field.
SETUP_FIELDS = ("checkin_day", "checkin_time", "checkin_zone", "checkin_every", "checkin_holidays",
                "checkin_members", "checkin_channel")  # fmt: skip


@dataclass(frozen=True)
class SetupDraft:
    """The meeting inputs as typed (strings and user ids)."""

    checkin_day: str = ""
    checkin_time: str = ""
    checkin_zone: str = ""
    checkin_every: str = ""
    checkin_holidays: str = ""
    checkin_members: tuple[str, ...] = ()
    checkin_channel: str = ""


@dataclass(frozen=True)
class Setup:
    """A checked meeting: `weekday` None means the property has no check-in (any existing one is switched off)."""

    weekday: int | None
    at: time = time(10, 0)
    zone: str = "America/Chicago"
    every_weeks: int = 1
    holiday_rule: HolidayRule = HolidayRule.NEXT_BUSINESS_DAY
    members: tuple[str, ...] = ()
    channel: str | None = None


def check_setup(draft: SetupDraft, *, default_zone: str, required: bool = False) -> Setup:
    """The meeting's schedule and people, or FormErrors under each wrong field. Without a day (and not
    `required`), there is no meeting."""
    errors: dict[str, str] = {}
    weekday = None
    if draft.checkin_day:
        weekday = numbers.whole_number(draft.checkin_day, low=0, high=6)
        if weekday is None:
            errors["checkin_day"] = "Choose a day from the list."
    elif required:
        errors["checkin_day"] = "Choose the day the meeting is held."
    at = time(10, 0)
    if draft.checkin_time.strip():
        if found := _TIME.match(draft.checkin_time):
            at = time(int(found.group(1)), int(found.group(2)))
        else:
            errors["checkin_time"] = "Write the time as HH:MM, 24-hour (e.g. 10:00 or 14:30)."
    elif weekday is not None:
        errors["checkin_time"] = "When does the meeting start? HH:MM, 24-hour."
    zone = draft.checkin_zone or default_zone
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        errors["checkin_zone"] = "Choose a time zone from the list."
    every = 1
    if draft.checkin_every:
        chosen = numbers.whole_number(draft.checkin_every, low=1, high=8)
        if chosen is None:
            errors["checkin_every"] = "Choose how often from the list."
        else:
            every = chosen
    rule = HolidayRule.NEXT_BUSINESS_DAY
    if draft.checkin_holidays:
        if draft.checkin_holidays in (HolidayRule.SKIP, HolidayRule.NEXT_BUSINESS_DAY):
            rule = HolidayRule(draft.checkin_holidays)
        else:
            errors["checkin_holidays"] = "Choose what happens on a holiday."
    if errors:
        raise FormErrors(errors)
    return Setup(
        weekday=weekday, at=at, zone=zone, every_weeks=every, holiday_rule=rule,
        members=tuple(dict.fromkeys(draft.checkin_members)), channel=draft.checkin_channel or None,
    )  # fmt: skip


def rule_of(meeting: Meeting, *, country: str | None) -> WeeklyOn:
    return WeeklyOn(
        weekday=meeting.weekday, at=time.fromisoformat(meeting.at), zone=ZoneInfo(meeting.zone),
        every_weeks=meeting.every_weeks, anchor=meeting.anchor, holiday_rule=HolidayRule(meeting.holiday_rule),
        country=country,
    )  # fmt: skip


def property_meeting(session: Session, property_id: int) -> Meeting | None:
    return session.scalar(
        select(Meeting).where(Meeting.kind == MeetingKind.PROPERTY, Meeting.property_id == property_id)
    )


def set_property_checkin(
    session: Session, prop: Property, setup: Setup, *, actor: Actor, now: datetime, country: str | None
) -> Meeting | None:
    """Set (or switch off) a property's check-in, in the transaction that saves the property."""
    meeting = property_meeting(session, prop.id)
    if setup.weekday is None:
        if meeting is not None and meeting.active:
            _switch_off(session, meeting, actor=actor, now=now)
        return meeting
    if meeting is None:
        meeting = Meeting(kind=MeetingKind.PROPERTY, property_id=prop.id, created_at=now)
        session.add(meeting)
    meeting.name = prop.name
    return _apply(session, meeting, setup, actor=actor, now=now, country=country)


def set_meeting(
    session: Session, name: str, setup: Setup, *, actor: Actor, now: datetime, country: str | None
) -> Meeting:
    """Create or change a meeting that is not a property's (a case consultation), found by name."""
    clean = privacy.clean_text(name).strip()
    errors: dict[str, str] = {}
    if not clean or len(clean) > 100:
        errors["meeting_name"] = "Name the meeting (at most 100 characters)."
    privacy.check_fields({"meeting_name": clean}, {"meeting_name": privacy.FieldKind.LABEL}, errors=errors)
    if setup.channel is None:
        errors["checkin_channel"] = "Choose the channel where its agenda is posted."
    if clean and property_checkin_named(session, clean) is not None:
        # Meetings are found by name (`/checkin add NAME`): a second one under a property's name would shadow it.
        errors["meeting_name"] = PROPERTY_CHECKIN_NAMED
    if errors:
        raise FormErrors(errors)
    meeting = session.scalar(
        select(Meeting).where(Meeting.kind == MeetingKind.CONSULTATION, func.lower(Meeting.name) == clean.lower())
    )
    if meeting is None:
        meeting = Meeting(kind=MeetingKind.CONSULTATION, property_id=None, created_at=now)
        session.add(meeting)
    meeting.name = clean
    return _apply(session, meeting, setup, actor=actor, now=now, country=country)


PROPERTY_CHECKIN_NAMED = (
    "That is a property's check-in: change it in the property's form (`/vacancy property "
    "NAME`), or give this meeting another name."
)


def property_checkin_named(session: Session, name: str) -> Meeting | None:
    """The property check-in called `name` (a property's check-in is named after it), case-insensitive."""
    return session.scalar(
        select(Meeting).where(Meeting.kind == MeetingKind.PROPERTY, func.lower(Meeting.name) == name.strip().lower())
    )


def _apply(
    session: Session, meeting: Meeting, setup: Setup, *, actor: Actor, now: datetime, country: str | None
) -> Meeting:
    assert setup.weekday is not None
    zone = ZoneInfo(setup.zone)
    cycle_changed = meeting.id is None or (meeting.every_weeks, meeting.weekday) != (setup.every_weeks, setup.weekday)
    meeting.weekday, meeting.at, meeting.zone = setup.weekday, setup.at.isoformat("minutes"), setup.zone
    meeting.every_weeks, meeting.holiday_rule = setup.every_weeks, str(setup.holiday_rule)
    meeting.members, meeting.channel = list(setup.members), setup.channel
    if cycle_changed or meeting.anchor is None:
        # "Every two weeks" counts from the week it was set up in: the first meeting is the next such weekday.
        meeting.anchor = _first_day(now.astimezone(zone), setup.weekday, setup.at)
    meeting.active, meeting.updated_at = True, now
    session.flush()
    rule = rule_of(meeting, country=country)
    schedules.put(session, job=AGENDA_JOB, subject_type=SUBJECT, subject_id=meeting.id, rule=rule.as_dict(),
                  next_due_at=next_due(rule, now), now=now)  # fmt: skip
    plan_next(session, meeting, now=now, country=country)
    audit.record(
        session, actor=actor.user_id, actor_team=actor.team_id, action="meeting.set", subject_type=SUBJECT,
        subject_id=meeting.id, at=now,
        detail={"kind": meeting.kind, "rule": rule.as_dict(), "members": meeting.members, "channel": meeting.channel},
    )  # fmt: skip
    return meeting


def _first_day(local_now: datetime, weekday: int, at: time) -> date:
    ahead = (weekday - local_now.weekday()) % 7
    if ahead == 0 and local_now.time() >= at:
        ahead = 7
    return local_now.date() + timedelta(days=ahead)


def _switch_off(session: Session, meeting: Meeting, *, actor: Actor, now: datetime) -> None:
    meeting.active, meeting.updated_at = False, now
    session.execute(
        update(Schedule)
        .where(Schedule.job == AGENDA_JOB, Schedule.subject_type == SUBJECT, Schedule.subject_id == meeting.id)
        .values(active=False, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    planned = session.scalars(
        select(Agenda.id).where(Agenda.meeting_id == meeting.id, Agenda.status == AgendaStatus.PLANNED)
    ).all()
    _drop_planned(session, planned, now=now)
    audit.record(session, actor=actor.user_id, actor_team=actor.team_id, action="meeting.off", subject_type=SUBJECT,
                 subject_id=meeting.id, at=now)  # fmt: skip


def _drop_planned(session: Session, planned: Sequence[int], *, now: datetime) -> None:
    for agenda_id in planned:
        reminders.finish(session, subject_type=AGENDA_SUBJECT, subject_id=agenda_id, now=now)
    if planned:
        session.execute(delete(Agenda).where(Agenda.id.in_(planned)))


def channel_of(meeting: Meeting, prop: Property | None) -> str | None:
    """Where the agenda goes: the meeting's own channel, else the property's shared channel."""
    return meeting.channel or (prop.shared_channel if prop is not None else None)


def next_occurrence(meeting: Meeting, *, after: datetime, country: str | None) -> tuple[str, datetime] | None:
    """(period key, instant) of the meeting's first occurrence after `after`, holidays applied."""
    rule = rule_of(meeting, country=country)
    for days in (45, PLAN_AHEAD_DAYS):
        for key, at in rule.periods(after, after + timedelta(days=days)):
            return key, at
    return None


def day_before(held_at: datetime, zone: ZoneInfo, country: str | None) -> datetime:
    """The business day before the meeting, at the meeting's time (a Monday meeting is reminded on Friday)."""
    local = held_at.astimezone(zone)
    day = local.date() - timedelta(days=1)
    while not is_business_day(day, country):
        day -= timedelta(days=1)
    return local_instant(day, local.time(), zone)


def plan_next(
    session: Session, meeting: Meeting, *, now: datetime, country: str | None,
    planned: Sequence[Agenda] | None = None,
) -> Agenda | None:  # fmt: skip
    """Plan the meeting's next occurrence (and its day-before reminder); a plan that no longer matches the
    meeting (another day, time or channel) is dropped with its reminder first. `planned`: the meeting's planned
    agendas, when the caller has read them already (the tick, in batch)."""
    upcoming = next_occurrence(meeting, after=now, country=country)
    prop = session.get(Property, meeting.property_id) if meeting.property_id else None
    channel = channel_of(meeting, prop)
    batched = planned is not None
    if planned is None:
        planned = session.scalars(
            select(Agenda).where(Agenda.meeting_id == meeting.id, Agenda.status == AgendaStatus.PLANNED)
        ).all()
    planned = [a for a in planned if a.status == AgendaStatus.PLANNED]
    for agenda in planned:
        if upcoming is not None and (agenda.period, agenda.held_at, agenda.channel) == (*upcoming, channel):
            return agenda  # already planned as it is
    _drop_planned(session, [a.id for a in planned], now=now)
    if upcoming is None or not meeting.active:
        return None
    period, held_at = upcoming
    # The tick has just posted the period before; only someone changing the meeting can meet a posted one.
    if not batched and session.scalar(select(Agenda.id).where(Agenda.meeting_id == meeting.id,
                                                              Agenda.period == period)):  # fmt: skip
        return None  # that period's agenda exists already (posted): nothing to plan
    agenda = Agenda(meeting_id=meeting.id, period=period, held_at=held_at, status=AgendaStatus.PLANNED,
                    channel=channel, derived=[], created_at=now)  # fmt: skip
    session.add(agenda)
    session.flush()
    remind_at = day_before(held_at, ZoneInfo(meeting.zone), country)
    if channel and remind_at > now:
        reminders.add(session, kind=REMIND_DAY_BEFORE, subject_type=AGENDA_SUBJECT, subject_id=agenda.id,
                      recipient=channel, zone=meeting.zone, due_at=remind_at, now=now)  # fmt: skip
    return agenda


# -- who takes part -----------------------------------------------------------------------------------------------


def property_managers(session: Session, property_ids: Collection[int]) -> dict[int, list[str]]:
    rows = session.execute(
        select(PropertyManager.property_id, PropertyManager.user_id)
        .where(PropertyManager.property_id.in_(list(property_ids)))
        .order_by(PropertyManager.id)
    ).all()
    found: dict[int, list[str]] = {}
    for prop_id, user in rows:
        found.setdefault(prop_id, []).append(user)
    return found


def participants(session: Session, meeting: Meeting) -> list[str]:
    """Whom the day-before reminder addresses: the property's managers, then the meeting's members (RSCs)."""
    managers: list[str] = []
    if meeting.property_id is not None:
        managers = property_managers(session, [meeting.property_id]).get(meeting.property_id, [])
    return list(dict.fromkeys([*managers, *meeting.members]))


def get_meeting(session: Session, meeting_id: int) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or not meeting.active:
        raise UserError("That check-in is no longer held; ask a housing coordinator.")
    return meeting


def find_meeting(session: Session, name: str) -> Meeting | None:
    """A meeting by its name (a property's check-in is named after the property), case-insensitive."""
    return session.scalar(
        select(Meeting).where(func.lower(Meeting.name) == name.strip().lower(), Meeting.active.is_(True))
    )


def meetings_of(session: Session, user_id: str) -> list[Meeting]:
    """Active meetings this user is a member of or whose property they manage, by name."""
    managed = select(PropertyManager.property_id).where(PropertyManager.user_id == user_id)
    found = session.scalars(select(Meeting).where(Meeting.active.is_(True)).order_by(Meeting.name)).all()
    props = set(session.scalars(managed))
    return [m for m in found if user_id in m.members or (m.property_id is not None and m.property_id in props)]


def all_meetings(session: Session) -> list[Meeting]:
    return list(session.scalars(select(Meeting).where(Meeting.active.is_(True)).order_by(Meeting.name)))


# -- the Home tab -------------------------------------------------------------------------------------------------

HOME_SHOWN = 8


@dataclass(frozen=True)
class HomeLine:
    """One meeting on someone's Home tab: when it is next held and how many items are open on it."""

    meeting_id: int
    name: str
    next_at: datetime | None
    zone: ZoneInfo
    open_items: int


def home_meetings(
    session: Session, user_id: str, *, everyone: bool, managed: Select[Any] | None = None, limit: int = HOME_SHOWN
) -> tuple[list[HomeLine], int]:
    """The viewer's meetings, soonest first, with their open items; and how many they have. `everyone`: a
    coordinator's (every active meeting); else those the viewer is a member of and those of the properties in
    `managed` (bot.domain.access.managed_properties: listed managers and their company's people, so a partner
    sees their own company's only). Four statements whatever the number of meetings."""
    if everyone:
        visible = None
    else:
        props = set(session.scalars(managed)) if managed is not None else set()
        rows = session.execute(select(Meeting.id, Meeting.members, Meeting.property_id)
                               .where(Meeting.active.is_(True))).all()  # fmt: skip
        visible = [m_id for m_id, members, prop in rows if user_id in (members or []) or prop in props]
        if not visible:
            return [], 0
    due = (
        select(Meeting, Schedule.next_due_at)
        .outerjoin(Schedule, (Schedule.job == AGENDA_JOB) & (Schedule.subject_type == SUBJECT)
                   & (Schedule.subject_id == Meeting.id) & Schedule.active.is_(True))
        .where(Meeting.active.is_(True))
        .order_by(Schedule.next_due_at.is_(None), Schedule.next_due_at, Meeting.name)
        .limit(limit)
    )  # fmt: skip
    if visible is not None:
        due = due.where(Meeting.id.in_(visible))
    found = session.execute(due).all()
    if visible is None:
        total = session.scalar(select(func.count()).select_from(Meeting).where(Meeting.active.is_(True))) or 0
    else:
        total = len(visible)
    counts: dict[int, int] = {}
    if found:
        open_counts = (
            select(CheckinItem.meeting_id, func.count(CheckinItem.id))
            .where(CheckinItem.meeting_id.in_([m.id for m, _ in found]), CheckinItem.closed_at.is_(None))
            .group_by(CheckinItem.meeting_id)
        )
        counts = {meeting_id: count for meeting_id, count in session.execute(open_counts)}
    lines = [HomeLine(meeting_id=m.id, name=m.name, next_at=at, zone=ZoneInfo(m.zone), open_items=counts.get(m.id, 0))
             for m, at in found]  # fmt: skip
    return lines, total


# -- items ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemDraft:
    section: str = ""
    unit: str = ""
    client_code: str = ""
    note: str = ""


@dataclass(frozen=True)
class ItemFacts:
    section: Section
    unit: str
    client_code: str
    note: str


ITEM_FIELDS = ("section", "unit", "client_code", "note")


def check_item(
    draft: ItemDraft, *, kind: MeetingKind, code_format: re.Pattern[str] = privacy.DEFAULT_CODE_FORMAT,
    today: date | None = None,
) -> ItemFacts:  # fmt: skip
    """The item's facts, or FormErrors under each wrong field; every text goes through the personal-data check
    (the unit is a label, the code must be in the agency's format, the note holds nothing personal)."""
    errors: dict[str, str] = {}
    section = Section(draft.section) if draft.section in set(Section) else None
    if section is None or section not in SECTIONS[kind]:
        errors["section"] = "Choose the agenda section."
    unit = privacy.clean_text(draft.unit).strip()
    code = privacy.clean_text(draft.client_code).strip()
    note = privacy.clean_text(draft.note).strip()
    if len(unit) > 30:
        errors["unit"] = "At most 30 characters."
    if not note:
        errors["note"] = "Say what to raise (no names or personal details)."
    elif len(note) > NOTE_LIMIT:
        errors["note"] = f"Too long: {len(note)} characters, at most {NOTE_LIMIT}."
    if unit and "unit" not in errors and (found := privacy.check_text(unit, field=privacy.FieldKind.LABEL,
                                                                      today=today)):  # fmt: skip
        errors["unit"] = found.message
    if code and (found := privacy.check_text(code, field=privacy.FieldKind.CODE, today=today,
                                             code_format=code_format)):  # fmt: skip
        errors["client_code"] = found.message
    if note and "note" not in errors and (found := privacy.check_text(note, field=privacy.FieldKind.NOTE,
                                                                      today=today)):  # fmt: skip
        errors["note"] = found.message
    if errors:
        raise FormErrors(errors)
    assert section is not None
    return ItemFacts(section=section, unit=unit, client_code=code, note=note)


def add_item(
    session: Session, meeting: Meeting, facts: ItemFacts, *, actor: Actor, now: datetime,
    reply_channel: str | None = None,
) -> CheckinItem:  # fmt: skip
    """Add an item for the meeting's next agenda; the person is told privately where it will come up."""
    item = CheckinItem(
        meeting_id=meeting.id, section=facts.section, unit=facts.unit, client_code=facts.client_code, note=facts.note,
        raised_by=actor.user_id, raised_by_team=actor.team_id, created_at=now,
    )  # fmt: skip
    session.add(item)
    session.flush()
    audit.record(
        session, actor=actor.user_id, actor_team=actor.team_id, action="checkin.item_added",
        subject_type="checkin_item", subject_id=item.id, at=now,
        detail={"meeting": meeting.id, "section": str(facts.section)},
    )  # fmt: skip
    joined = _join_live_agenda(session, meeting, item, now=now)
    outbox.enqueue(session, kind=ITEM_ADDED, channel=reply_channel or actor.user_id, user=actor.user_id,
                   subject_id=item.id, now=now)  # fmt: skip
    if joined is not None:
        log.info("checkin item #%s joined the live agenda #%s", item.id, joined.agenda_id)
    return item


def live_agenda(session: Session, meeting_id: int, *, now: datetime, lock: bool = False) -> Agenda | None:
    """The meeting's agenda being taken now: posted, not yet summarised, and its meeting not over."""
    query = (
        select(Agenda)
        .where(Agenda.meeting_id == meeting_id, Agenda.status == AgendaStatus.POSTED,
               Agenda.held_at > now - MEETING_LENGTH)
        .order_by(Agenda.held_at.desc())
        .limit(1)
    )  # fmt: skip
    return session.scalar(query.with_for_update() if lock else query)


def _join_live_agenda(session: Session, meeting: Meeting, item: CheckinItem, *, now: datetime) -> AgendaEntry | None:
    """An item raised while its meeting's agenda is up (the meeting is being held) belongs on that agenda: the
    people are in the room, and "next week" would be a surprise. It is appended (its number comes after the
    compiled ones, so the numbers in the notes thread stay right), the agenda is edited in place and its note
    goes in the thread. Once the meeting is over (an hour after its time) it waits for the next agenda.

    Called after the item's insert: the agenda row is read under a lock (FOR UPDATE on PostgreSQL; SQLite's
    write lock is already held), so a summary being made at the same moment either sees this entry (and carries
    it over) or has already happened (and the item waits for the next agenda)."""
    agenda = live_agenda(session, meeting.id, now=now, lock=True)
    if agenda is None:
        return None
    last = session.scalar(select(func.max(AgendaEntry.position)).where(AgendaEntry.agenda_id == agenda.id))
    entry = AgendaEntry(agenda_id=agenda.id, item_id=item.id, position=(-1 if last is None else last) + 1,
                        carried=0, outcome=str(Outcome.PENDING))  # fmt: skip
    session.add(entry)
    session.flush()
    audit.record(session, actor=SYSTEM, actor_team=None, action="checkin.item_joined_agenda",
                 subject_type="checkin_item", subject_id=item.id, at=now, detail={"agenda": agenda.id})  # fmt: skip
    if agenda.channel:
        edit = outbox.enqueue(session, kind=AGENDA_POST, channel=agenda.channel, subject_id=agenda.id, now=now)
        if item.note:  # after the edit: the agenda's first post may still be on its way
            outbox.enqueue(session, kind=LATE_NOTE_POST, channel=agenda.channel, subject_id=entry.id, after=edit,
                           now=now)  # fmt: skip
    return entry


def entry_on_live_agenda(session: Session, item_id: int, *, now: datetime) -> tuple[AgendaEntry, Agenda] | None:
    """The item's entry on an agenda being taken now, if it joined one (for its "added" message)."""
    row = session.execute(
        select(AgendaEntry, Agenda)
        .join(Agenda, Agenda.id == AgendaEntry.agenda_id)
        .where(AgendaEntry.item_id == item_id, Agenda.status == AgendaStatus.POSTED,
               Agenda.held_at > now - MEETING_LENGTH)
        .limit(1)
    ).first()  # fmt: skip
    return (row[0], row[1]) if row is not None else None


# -- the agenda ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One line of an agenda: an item (with its entry once posted), or something the board or the escalations
    contributed (`derived`, no buttons). Units, client codes and numbers only: notes are kept apart."""

    section: Section
    item_id: int | None = None
    entry_id: int | None = None
    unit: str = ""
    client_code: str = ""
    raised_by: str = ""
    weeks: int = 0
    carried: int = 0
    outcome: Outcome = Outcome.PENDING
    outcome_by: str | None = None
    derived: str = ""  # "moved_in", "listed", "filled", "withdrawn", "escalation"
    ref: str = ""  # R-12, V-3, a case number
    number: int | None = None  # on a posted agenda: its entry's place (late items come after the compiled ones)


@dataclass(frozen=True)
class AgendaView:
    """An agenda as the meeting sees it, in section order; pure values for the Block Kit and terminal renderings."""

    meeting_id: int
    name: str
    kind: MeetingKind
    held_at: datetime
    zone: ZoneInfo
    status: AgendaStatus
    sections: tuple[tuple[Section, tuple[Line, ...]], ...]
    notes: tuple[tuple[int, str], ...] = ()  # (line number, note) for the thread
    agenda_id: int | None = None
    next_at: datetime | None = None


def weeks_old(created_at: datetime, held_at: datetime) -> int:
    return max(0, (held_at - created_at).days // 7)


@dataclass
class _Gathered:
    """What one meeting's agenda is compiled from, read in batch for every meeting due in the tick."""

    meeting: Meeting
    prop: Property | None
    items: list[CheckinItem] = field(default_factory=list)
    carried: dict[int, int] = field(default_factory=dict)
    since: datetime | None = None
    moves: list[dict[str, Any]] = field(default_factory=list)
    escalations: list[str] = field(default_factory=list)
    planned: list[Agenda] = field(default_factory=list)
    batched: bool = False  # read with every meeting due in the tick: its planned agendas are all in `planned`


_CACHE = "checkins.gathered"


def gather(session: Session, meeting_ids: Collection[int], *, until: datetime) -> dict[int, _Gathered]:
    """Everything the agendas of these meetings need, in a fixed number of statements whatever their number."""
    ids = list(dict.fromkeys(meeting_ids))
    if not ids:
        return {}
    found = {m.id: _Gathered(m, p) for m, p in queries.meetings_with_properties(session, meeting_ids=ids)}
    for item in queries.open_items(session, meeting_ids=ids, before=until):
        found[item.meeting_id].items.append(item)
    carried = queries.times_on_agendas(session, meeting_ids=ids)
    held = queries.last_held(session, meeting_ids=ids)
    for agenda in queries.agendas_in(session, meeting_ids=ids, statuses=(AgendaStatus.PLANNED,)):
        found[agenda.meeting_id].planned.append(agenda)
    for meeting_id, got in found.items():
        got.carried = {item.id: carried.get(item.id, 0) for item in got.items}
        # A first agenda looks one cycle back: what the board did since the meeting would last have been held.
        got.since = held.get(meeting_id, until - timedelta(weeks=got.meeting.every_weeks))
    by_property = {got.prop.id: got for got in found.values() if got.prop is not None}
    if by_property:
        since = min(got.since for got in by_property.values() if got.since is not None)
        for move in queries.board_moves(session, property_ids=list(by_property), since=since, until=until):
            got = by_property[move["property_id"]]
            if got.since is None or move["at"] > got.since:
                got.moves.append(move)
        for prop_id, cases in escalations.open_cases_for_properties(session, by_property).items():
            by_property[prop_id].escalations = cases
    return found


def _gathered_for(session: Session, meeting_id: int, *, now: datetime) -> _Gathered | None:
    """The batch read for the tick's due meetings, made by the first agenda of the tick and used by the rest
    (each is used once: a second period of one meeting in one tick reads afresh, after the first's writes)."""
    cache: dict[int, _Gathered] | None = session.info.get(_CACHE, {}).get(now)
    if cache is None:
        due = queries.due_meeting_ids(session, job=AGENDA_JOB, now=now)
        cache = gather(session, [*due, meeting_id], until=now)
        session.info[_CACHE] = {now: cache}
    got = cache.pop(meeting_id, None)
    if got is not None:
        got.batched = True
        return got
    return gather(session, [meeting_id], until=now).get(meeting_id)


def _derived_lines(got: _Gathered) -> list[dict[str, Any]]:
    if got.meeting.kind != MeetingKind.PROPERTY:
        return []
    lines = [
        {"section": str(Section.MOVES), "kind": m["kind"], "unit": m["unit"],
         "ref": f"{'R' if m['kind'] == 'moved_in' else 'V'}-{m['ref']}"}
        for m in got.moves
    ]  # fmt: skip
    lines += [{"section": str(ESCALATIONS_SECTION), "kind": "escalation", "unit": "", "ref": case}
              for case in got.escalations]  # fmt: skip
    return lines


def hold(session: Session, meeting_id: int, period: str, *, now: datetime, country: str | None) -> dict[str, Any]:
    """Compile and post the meeting's agenda for `period` (run once per period by the tick)."""
    got = _gathered_for(session, meeting_id, now=now)
    if got is None or not got.meeting.active:
        return {"meeting": meeting_id, "skipped": "no such meeting"}
    meeting = got.meeting
    agenda = next((a for a in got.planned if a.period == period), None)
    if agenda is None and not got.batched:
        agenda = session.scalar(select(Agenda).where(Agenda.meeting_id == meeting.id, Agenda.period == period))
    if agenda is not None and agenda.status != AgendaStatus.PLANNED:
        return {"meeting": meeting_id, "skipped": f"already {agenda.status}"}
    for stale in got.planned:
        if stale is not agenda and stale.held_at < now:  # its time passed while we were down too long
            stale.status = AgendaStatus.MISSED
            reminders.finish(session, subject_type=AGENDA_SUBJECT, subject_id=stale.id, now=now)
    channel = channel_of(meeting, got.prop)
    if agenda is None:
        agenda = Agenda(meeting_id=meeting.id, period=period, held_at=_held_at(meeting, period, now, country),
                        created_at=now)  # fmt: skip
        session.add(agenda)
    agenda.channel, agenda.derived = channel, _derived_lines(got)
    if channel is None:
        agenda.status = AgendaStatus.MISSED
        session.flush()
        log.warning("meeting #%s has no channel for its agenda (%s); nothing posted", meeting.id, period)
        plan_next(session, meeting, now=now, country=country, planned=got.planned)
        return {"meeting": meeting.id, "skipped": "no channel"}
    agenda.status, agenda.posted_at = AgendaStatus.POSTED, now
    session.flush()
    order = {section: n for n, section in enumerate(SECTIONS[MeetingKind(meeting.kind)])}
    items = sorted(got.items, key=lambda i: (order.get(Section(i.section), 99), i.created_at, i.id))
    entries = [
        {"agenda_id": agenda.id, "item_id": item.id, "position": n, "carried": got.carried.get(item.id, 0),
         "outcome": str(Outcome.PENDING)}
        for n, item in enumerate(items)
    ]  # fmt: skip
    if entries:
        session.execute(insert(AgendaEntry), entries)
    reminders.finish(session, subject_type=AGENDA_SUBJECT, subject_id=agenda.id, now=now, kinds=[REMIND_DAY_BEFORE])
    post = outbox.enqueue(session, kind=AGENDA_POST, channel=channel, subject_id=agenda.id, now=now)
    if any(item.note for item in items):
        outbox.enqueue(session, kind=NOTES_POST, channel=channel, subject_id=agenda.id, after=post, now=now)
    reminders.add(session, kind=SUMMARISE, subject_type=AGENDA_SUBJECT, subject_id=agenda.id, recipient=channel,
                  zone=meeting.zone, due_at=agenda.held_at + MEETING_LENGTH, now=now)  # fmt: skip
    plan_next(session, meeting, now=now, country=country, planned=[a for a in got.planned if a is not agenda])
    audit.record(session, actor=SYSTEM, actor_team=None, action="checkin.agenda_posted", subject_type=AGENDA_SUBJECT,
                 subject_id=agenda.id, at=now,
                 detail={"meeting": meeting.id, "period": period, "items": len(entries),
                         "derived": len(agenda.derived)})  # fmt: skip
    return {"meeting": meeting.id, "agenda": agenda.id, "items": len(entries), "derived": len(agenda.derived)}


def _held_at(meeting: Meeting, period: str, now: datetime, country: str | None) -> datetime:
    """The instant of `period`'s occurrence (it fell due at most the catch-up window ago)."""
    rule = rule_of(meeting, country=country)
    for key, at in rule.periods(now - timedelta(days=21), now):
        if key == period:
            return at
    return now


def summarise(session: Session, agenda_id: int, *, now: datetime) -> bool:
    """The meeting is over: its agenda becomes its summary (edited in place); what was not taken is carried over.
    Compare-and-set on the agenda's status, so it happens once."""
    done = session.execute(
        update(Agenda)
        .where(Agenda.id == agenda_id, Agenda.status == AgendaStatus.POSTED)
        .values(status=AgendaStatus.SUMMARISED, summarised_at=now)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.execute(
        update(AgendaEntry)
        .where(AgendaEntry.agenda_id == agenda_id, AgendaEntry.outcome == Outcome.PENDING)
        .values(outcome=Outcome.CARRIED, outcome_at=now)
        .execution_options(synchronize_session=False)
    )
    agenda = session.get(Agenda, agenda_id)
    assert agenda is not None
    session.refresh(agenda)
    if agenda.channel:
        outbox.enqueue(session, kind=AGENDA_POST, channel=agenda.channel, subject_id=agenda.id, now=now)
    audit.record(session, actor=SYSTEM, actor_team=None, action="checkin.summarised", subject_type=AGENDA_SUBJECT,
                 subject_id=agenda_id, at=now, detail={"meeting": agenda.meeting_id})  # fmt: skip
    return True


class AlreadyDone(UserError):
    """Someone else (or an earlier click) decided this entry already."""


def mark(session: Session, entry_id: int, outcome: Outcome, *, actor: Actor, now: datetime) -> AgendaEntry:
    """Discussed / Carry over / Close on a posted agenda: a compare-and-set on the entry's outcome (a closed item
    stays closed; a double click applies once and the second is told who did it)."""
    entry = session.get(AgendaEntry, entry_id)
    agenda = session.get(Agenda, entry.agenda_id) if entry is not None else None
    if entry is None or agenda is None:
        raise UserError("That item is no longer on an agenda.")
    if agenda.status != AgendaStatus.POSTED:
        raise UserError("This check-in is over and its summary is kept as it is; open items are on the next one.")
    seen = entry.outcome
    who = f" by <@{entry.outcome_by}>" if entry.outcome_by else ""
    if seen == Outcome.CLOSED or seen == outcome:
        raise AlreadyDone(f"Item {entry.position + 1} is already {OUTCOME_WORDS[Outcome(seen)]}{who}.")
    changed = session.execute(
        update(AgendaEntry)
        .where(AgendaEntry.id == entry_id, AgendaEntry.outcome == seen)
        .values(outcome=outcome, outcome_by=actor.user_id, outcome_at=now)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(entry)
        raise AlreadyDone(f"Item {entry.position + 1} was just marked {OUTCOME_WORDS.get(Outcome(entry.outcome), '')}"
                          f" by <@{entry.outcome_by}>.")  # fmt: skip
    if outcome == Outcome.CLOSED:
        session.execute(
            update(CheckinItem)
            .where(CheckinItem.id == entry.item_id, CheckinItem.closed_at.is_(None))
            .values(closed_at=now, closed_by=actor.user_id)
            .execution_options(synchronize_session=False)
        )
    audit.record(session, actor=actor.user_id, actor_team=actor.team_id, action=f"checkin.item_{outcome}",
                 subject_type="checkin_item", subject_id=entry.item_id, at=now,
                 detail={"agenda": agenda.id, "outcome": str(outcome)})  # fmt: skip
    if agenda.channel:
        outbox.enqueue(session, kind=AGENDA_POST, channel=agenda.channel, subject_id=agenda.id, now=now)
    session.refresh(entry)
    return entry


def agenda_meeting(session: Session, agenda_id: int) -> Meeting | None:
    agenda = session.get(Agenda, agenda_id)
    return session.get(Meeting, agenda.meeting_id) if agenda is not None else None


def entry_meeting(session: Session, entry_id: int) -> Meeting:
    entry = session.get(AgendaEntry, entry_id)
    meeting = agenda_meeting(session, entry.agenda_id) if entry is not None else None
    if meeting is None:
        raise UserError("That item is no longer on an agenda.")
    return meeting


def posted_view(session: Session, agenda: Agenda, *, country: str | None) -> AgendaView:
    """The agenda as posted (its entries and what was derived when it was compiled), for its kept message."""
    meeting = session.get(Meeting, agenda.meeting_id)
    assert meeting is not None
    rows = session.execute(
        select(AgendaEntry, CheckinItem)
        .join(CheckinItem, CheckinItem.id == AgendaEntry.item_id)
        .where(AgendaEntry.agenda_id == agenda.id)
        .order_by(AgendaEntry.position)
    ).all()
    lines = [
        Line(section=Section(item.section), item_id=item.id, entry_id=entry.id, unit=item.unit,
             client_code=item.client_code, raised_by=item.raised_by, weeks=weeks_old(item.created_at, agenda.held_at),
             carried=entry.carried, outcome=Outcome(entry.outcome), outcome_by=entry.outcome_by,
             number=entry.position + 1)
        for entry, item in rows
    ]  # fmt: skip
    notes = tuple((entry.position + 1, item.note) for entry, item in rows if item.note)
    nxt = next_occurrence(meeting, after=agenda.held_at, country=country) if meeting.active else None
    return _view(meeting, agenda.held_at, AgendaStatus(agenda.status), lines, agenda.derived, notes=notes,
                 agenda_id=agenda.id, next_at=nxt[1] if nxt else None)  # fmt: skip


def upcoming_view(session: Session, meeting: Meeting, *, now: datetime, country: str | None) -> AgendaView:
    """The next agenda as it would be compiled now (for /checkin and `porchlight agenda preview`): nothing posted."""
    nxt = next_occurrence(meeting, after=now, country=country)
    held_at = nxt[1] if nxt else now
    got = gather(session, [meeting.id], until=now)[meeting.id]
    order = {section: n for n, section in enumerate(SECTIONS[MeetingKind(meeting.kind)])}
    items = sorted(got.items, key=lambda i: (order.get(Section(i.section), 99), i.created_at, i.id))
    lines = [
        Line(section=Section(item.section), item_id=item.id, unit=item.unit, client_code=item.client_code,
             raised_by=item.raised_by, weeks=weeks_old(item.created_at, held_at), carried=got.carried.get(item.id, 0))
        for item in items
    ]  # fmt: skip
    notes = tuple((n + 1, item.note) for n, item in enumerate(items) if item.note)
    return _view(meeting, held_at, AgendaStatus.PLANNED, lines, _derived_lines(got), notes=notes)


def _view(
    meeting: Meeting, held_at: datetime, status: AgendaStatus, lines: Sequence[Line], derived: list[dict[str, Any]],
    **extra: Any,
) -> AgendaView:  # fmt: skip
    extra_lines = [
        Line(section=Section(d["section"]), unit=str(d.get("unit") or ""), derived=str(d["kind"]), ref=str(d["ref"]))
        for d in derived
        if d.get("section") in set(Section)
    ]  # fmt: skip
    sections = tuple(
        (section, tuple(x for x in [*extra_lines, *lines] if x.section == section))
        for section in SECTIONS[MeetingKind(meeting.kind)]
    )
    return AgendaView(meeting_id=meeting.id, name=meeting.name, kind=MeetingKind(meeting.kind), held_at=held_at,
                      zone=ZoneInfo(meeting.zone), status=status, sections=sections, **extra)  # fmt: skip


def still_planned(session: Session, agenda_id: int) -> bool:
    agenda = session.get(Agenda, agenda_id)
    meeting = session.get(Meeting, agenda.meeting_id) if agenda is not None else None
    return agenda is not None and meeting is not None and meeting.active and agenda.status == AgendaStatus.PLANNED


def still_posted(session: Session, agenda_id: int) -> bool:
    agenda = session.get(Agenda, agenda_id)
    return agenda is not None and agenda.status == AgendaStatus.POSTED
