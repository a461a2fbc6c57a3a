"""Escalations: a landlord/RSC conflict, raised from either side, becomes one case for the coordinator.

A case has a status card in the escalation channel (kept in place, the discussion in its thread), a clock that
runs until a coordinator acknowledges it (reminder rows: the coordinators at 24 business hours, the backup
coordinators and the card at 48; urgent cases at 4 and 8), a mediation, and a recorded outcome. Both parties are
told of every status change by DM. Every change is a compare-and-set on the case's status and version, audited,
and queues its posts in the same transaction.

Confidentiality: what people typed passed `bot.domain.privacy` and is shown only in the coordinators' channel and
in DMs to the two parties. A shared channel only ever sees the case number and its status; audit entries and
exports carry categories, ids and times, never the text or the client code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, or_, select, update
from sqlalchemy.orm import Session

from bot.domain import access, numbers, people, privacy
from bot.domain.actors import Actor
from bot.domain.schedule import is_business_day, local_instant
from bot.domain.working_time import WorkingHours
from bot.errors import FormErrors, NotAllowed, UserError
from storage import audit, outbox, posted, reminders
from storage import escalations as rows
from storage.models import Escalation, EscalationNote, EscalationStep, Property
from storage.rows import changed


class Category(StrEnum):
    NONPAYMENT = "nonpayment"
    LEASE_VIOLATION = "lease_violation"
    REPAIR = "repair"
    BEHAVIOUR = "behaviour"
    EVICTION_NOTICE = "eviction_notice"
    COMMUNICATION = "communication"
    CONFIDENTIALITY = "confidentiality"
    WELFARE = "welfare"
    OTHER = "other"


CATEGORY_LABELS = {
    Category.NONPAYMENT: "Nonpayment of rent",
    Category.LEASE_VIOLATION: "Lease violation",
    Category.REPAIR: "Maintenance / repair",
    Category.BEHAVIOUR: "Challenging behaviour",
    Category.EVICTION_NOTICE: "Eviction notice",
    Category.COMMUNICATION: "Breakdown in communication",
    Category.CONFIDENTIALITY: "Confidentiality question",
    Category.WELFARE: "Welfare concern",
    Category.OTHER: "Other",
}


class Urgency(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


URGENCY_LABELS = {Urgency.NORMAL: "Normal", Urgency.URGENT: "Urgent"}


class Status(StrEnum):
    OPEN = "open"  # nobody has taken it: the clock runs
    ACKNOWLEDGED = "acknowledged"  # a coordinator has it
    MEDIATION = "mediation_scheduled"
    RESOLVED = "resolved"


STATUS_LABELS = {
    Status.OPEN: "Open: waiting for a coordinator",
    Status.ACKNOWLEDGED: "Acknowledged",
    Status.MEDIATION: "Mediation scheduled",
    Status.RESOLVED: "Resolved",
}
LIVE = (Status.OPEN, Status.ACKNOWLEDGED, Status.MEDIATION)


class Outcome(StrEnum):
    AGREEMENT = "agreement_reached"
    REFERRED = "referred_to_services"
    NOTICE_WITHDRAWN = "notice_withdrawn"
    PAYMENT_PLAN = "payment_plan"
    EVICTION = "eviction_proceeding"
    NO_ACTION = "no_action_needed"
    OTHER = "other"


OUTCOME_LABELS = {
    Outcome.AGREEMENT: "Agreement reached",
    Outcome.REFERRED: "Referred to services",
    Outcome.NOTICE_WITHDRAWN: "Notice withdrawn",
    Outcome.PAYMENT_PLAN: "Payment plan",
    Outcome.EVICTION: "Eviction proceeding",
    Outcome.NO_ACTION: "No action needed",
    Outcome.OTHER: "Other",
}


class Step(StrEnum):
    """The welfare-concern protocol of the domain documents, in order."""

    REPORTED_TO_PM = "reported_to_pm"
    PM_ATTEMPTED_CONTACT = "pm_attempted_contact"
    WELFARE_CHECK = "welfare_check_requested"
    RESPONDERS_ACCESS = "responders_given_access"
    INCIDENT_REPORT = "incident_report"
    SUPERVISOR = "supervisor_informed"
    DEBRIEF = "debrief"


STEP_LABELS = {
    Step.REPORTED_TO_PM: "Concern reported to the PM",
    Step.PM_ATTEMPTED_CONTACT: "PM attempted contact with the resident",
    Step.WELFARE_CHECK: "911 welfare check requested",
    Step.RESPONDERS_ACCESS: "Responders given access (the PM does not enter the unit)",
    Step.INCIDENT_REPORT: "Incident report filed",
    Step.SUPERVISOR: "Supervisor informed",
    Step.DEBRIEF: "Post-incident debrief held",
}


class Event(StrEnum):
    """What a thread line or a party's DM announces (outbox detail "event")."""

    RAISED = "raised"
    ACKNOWLEDGED = "acknowledged"
    MEDIATION = "mediation"
    MEDIATION_TOMORROW = "mediation_tomorrow"
    NOTE = "note"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    OVERDUE = "overdue"
    REMIND = "remind"  # a coordinator reminded that a case waits
    WELFARE = "welfare"  # every coordinator told of a welfare concern at once


SUBJECT = "escalation"
CARD_ROLE, CHECKLIST_ROLE, SHARED_ROLE = "card", "checklist", "shared"
# Outbox kinds (jobs/features/escalations.py renders them from the database at delivery time).
CARD = "escalation.card"  # the status card in the escalation channel, kept in place
CHECKLIST = "escalation.checklist"  # a welfare concern's protocol, kept in place in the card's thread
THREAD = "escalation.thread"  # a line in the card's thread: detail {"event", "by", "note"}
PARTY_DM = "escalation.party_dm"  # a party told: detail {"event", "by"}
COORDINATOR_DM = "escalation.coordinator_dm"  # a (backup) coordinator told: detail {"event"}
SHARED = "escalation.shared"  # case number and status in the property's shared channel, kept in place
# Reminder kinds.
REMIND_ACK = "escalation.ack_due"  # each coordinator, by DM, at 24 (urgent: 4) business hours
TELL_BACKUP = "escalation.overdue"  # each backup coordinator, by DM, at 48 (urgent: 8)
MARK_OVERDUE = "escalation.mark_overdue"  # the card shows it overdue, at 48 (urgent: 8)
MEDIATION_REMINDER = "escalation.mediation_reminder"  # each party, the working day before the mediation
ACK_KINDS = (REMIND_ACK, TELL_BACKUP, MARK_OVERDUE)

# Business hours until the coordinators are reminded, and until the case is overdue.
DEADLINE_HOURS = {Urgency.NORMAL: (24, 48), Urgency.URGENT: (4, 8)}
TEXT_LIMIT = 1500
NOTE_LIMIT = 1000
SHOWN = 15  # cases on the Home tab and in one `/escalate list` answer
TEXT_KINDS = {"what_happened": privacy.FieldKind.NOTE, "tried": privacy.FieldKind.NOTE}


def case_number(escalation_id: int) -> str:
    return f"E-{escalation_id}"


def card_of(escalation_id: int) -> posted.Kept:
    return posted.Kept(SUBJECT, escalation_id, CARD_ROLE)


def checklist_of(escalation_id: int) -> posted.Kept:
    return posted.Kept(SUBJECT, escalation_id, CHECKLIST_ROLE)


def shared_of(escalation_id: int) -> posted.Kept:
    return posted.Kept(SUBJECT, escalation_id, SHARED_ROLE)


class AlreadyDone(UserError):
    """The click came too late: someone changed the case first (the message says who)."""


# -- who is who -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Desk:
    """Where cases go and who minds them: the escalation channel, the coordinators and their backups, and the
    working time their deadlines count in (the community's zone)."""

    channel: str
    coordinators: tuple[str, ...]
    backups: tuple[str, ...]
    hours: WorkingHours
    zone: ZoneInfo

    def is_coordinator(self, actor: Actor) -> bool:
        """Coordinators and backup coordinators take, resolve and reopen cases."""
        return actor.user_id in self.coordinators or actor.user_id in self.backups


def require_coordinator(desk: Desk, actor: Actor, what: str) -> None:
    if not desk.is_coordinator(actor):
        raise NotAllowed(f"Only a housing coordinator can {what}.")


def is_party(escalation: Escalation, actor: Actor) -> bool:
    return actor.user_id in (escalation.raised_by, escalation.other_party)


def require_coordinator_or_party(desk: Desk, escalation: Escalation, actor: Actor, what: str) -> None:
    if not (desk.is_coordinator(actor) or is_party(escalation, actor)):
        raise NotAllowed(f"Only a housing coordinator or the people in {case_number(escalation.id)} can {what}.")


# -- raising a case ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """The form as typed."""

    property_id: str = ""
    category: str = ""
    urgency: str = ""
    other_party: tuple[str, ...] = ()
    what_happened: str = ""
    tried: str = ""
    client_code: str = ""
    roi: str = ""


@dataclass(frozen=True)
class Source:
    """Where the case was raised from: a message (linked by channel and ts, never copied), or the property's
    shared channel's button (`channel` only)."""

    channel: str | None = None
    ts: str | None = None


@dataclass(frozen=True)
class Facts:
    property_id: int
    category: Category
    urgency: Urgency
    other_party: str
    what_happened: str
    tried: str
    client_code: str
    roi_on_file: bool


def check(
    draft: Draft,
    *,
    raised_by: str,
    today: date,
    code_format: re.Pattern[str] = privacy.DEFAULT_CODE_FORMAT,
) -> Facts:
    """The checked case, or FormErrors under every wrong field (personal data refused inline)."""
    errors: dict[str, str] = {}
    texts = {name: privacy.clean_text(getattr(draft, name)).strip() for name in ("what_happened", "tried")}
    if not texts["what_happened"]:
        errors["what_happened"] = "Say what happened (no names or personal details)."
    for name, text in texts.items():
        if len(text) > TEXT_LIMIT:
            errors[name] = f"Too long: {len(text)} characters, at most {TEXT_LIMIT}."
    privacy.check_fields(texts, TEXT_KINDS, errors=errors, today=today)
    code = privacy.clean_text(draft.client_code).strip()
    if code and (found := privacy.check_text(code, field=privacy.FieldKind.CODE, today=today, code_format=code_format)):
        errors["client_code"] = found.message
    property_id = numbers.row_id(draft.property_id)
    if property_id is None:
        errors["property_id"] = "Choose the property."
    if draft.category not in set(Category):
        errors["category"] = "Choose a category."
    if draft.urgency not in set(Urgency):
        errors["urgency"] = "Say how urgent it is."
    other = [u for u in draft.other_party if u]
    if len(other) != 1:
        errors["other_party"] = "Choose the one person on the other side (the property manager or the RSC)."
    elif other[0] == raised_by:
        errors["other_party"] = "Choose the other party, not yourself."
    if draft.roi not in ("yes", "no"):
        errors["roi"] = "Say whether a release of information is on file."
    if errors or property_id is None:
        raise FormErrors(errors)
    return Facts(
        property_id=property_id, category=Category(draft.category), urgency=Urgency(draft.urgency),
        other_party=other[0], what_happened=texts["what_happened"], tried=texts["tried"], client_code=code,
        roi_on_file=draft.roi == "yes",
    )  # fmt: skip


def require_may_raise(reach: access.Reach, property_id: int | None) -> None:
    """Our own people raise at any listed property, a partner's users at their own company's only."""
    access.require_reach(reach)
    if not reach.covers(property_id):
        raise FormErrors({"property_id": "You can raise issues only about your company's properties."})


def raise_case(
    session: Session, facts: Facts, *, actor: Actor, source: Source, desk: Desk, now: datetime
) -> Escalation:
    """Open a case: its card, both parties' DMs, and its clock (reminder rows) in this transaction."""
    prop = session.get(Property, facts.property_id)
    if prop is None:
        raise FormErrors({"property_id": "That property is no longer listed; choose another."})
    remind_after, overdue_after = DEADLINE_HOURS[facts.urgency]
    escalation = Escalation(
        property_id=prop.id, category=facts.category, urgency=facts.urgency, status=Status.OPEN,
        raised_by=actor.user_id, raised_by_team=actor.team_id or "", other_party=facts.other_party,
        what_happened=facts.what_happened, tried=facts.tried, client_code=facts.client_code,
        roi_on_file=facts.roi_on_file, source_channel=source.channel, source_ts=source.ts,
        remind_due_at=desk.hours.add_business_hours(now, remind_after, desk.zone),
        overdue_due_at=desk.hours.add_business_hours(now, overdue_after, desk.zone),
        summary="", created_at=now, updated_at=now,
    )  # fmt: skip
    session.add(escalation)
    session.flush()
    _audit(session, escalation, actor, "escalation.raised", now, from_message=source.ts is not None)
    _start_clock(session, escalation, desk=desk, now=now)
    outbox.enqueue(session, kind=CARD, channel=desk.channel, subject_id=escalation.id, now=now)
    _tell_parties(session, escalation, Event.RAISED, by=actor.user_id, now=now)
    if escalation.category == Category.WELFARE:
        outbox.enqueue(session, kind=CHECKLIST, channel=desk.channel, subject_id=escalation.id, now=now)
        for person in dict.fromkeys((*desk.coordinators, *desk.backups)):
            outbox.enqueue(session, kind=COORDINATOR_DM, channel=person, subject_id=escalation.id, now=now,
                           detail={"event": Event.WELFARE})  # fmt: skip
    if source.channel and source.ts is None and source.channel == prop.shared_channel:
        # Raised with the shared channel's button: that channel sees the case number and its status, no more.
        outbox.enqueue(session, kind=SHARED, channel=source.channel, subject_id=escalation.id, now=now)
    return escalation


def _start_clock(session: Session, escalation: Escalation, *, desk: Desk, now: datetime) -> None:
    """The case's deadlines are one instant each (counted in the community's working time, shown on the card);
    each person's reminder waits for the start of their own working day if the deadline falls outside it, in
    their own Slack time zone (bot.domain.people; the community's when it is not known)."""
    assert escalation.remind_due_at is not None
    assert escalation.overdue_due_at is not None
    zones = people.zones_of(session, (*desk.coordinators, *desk.backups), fallback=desk.zone)
    for kind, recipients, deadline in ((REMIND_ACK, desk.coordinators, escalation.remind_due_at),
                                       (TELL_BACKUP, desk.backups, escalation.overdue_due_at)):  # fmt: skip
        for recipient in recipients:
            zone = zones[recipient]
            reminders.add(session, kind=kind, subject_type=SUBJECT, subject_id=escalation.id, recipient=recipient,
                          zone=zone.key, due_at=desk.hours.next_working_moment(deadline, zone), now=now)  # fmt: skip
    # The card is marked at the deadline itself, in the community's time: a channel keeps no hours.
    reminders.add(session, kind=MARK_OVERDUE, subject_type=SUBJECT, subject_id=escalation.id, recipient=desk.channel,
                  zone=desk.zone.key, due_at=escalation.overdue_due_at, now=now)  # fmt: skip


# -- changing a case --------------------------------------------------------------------------------------------


def get(session: Session, escalation_id: int, *, lock: bool = False) -> Escalation:
    query = select(Escalation).where(Escalation.id == escalation_id)
    escalation = session.scalar(query.with_for_update() if lock else query)
    if escalation is None:
        raise UserError("That case no longer exists.")
    return escalation


def _transition(
    session: Session, escalation: Escalation, *, allowed: Sequence[Status], to: Status, now: datetime, **values: object
) -> bool:
    """Compare-and-set from the status and version as read; False when someone else changed the case first."""
    result = session.execute(
        update(Escalation)
        .where(
            Escalation.id == escalation.id,
            Escalation.version == escalation.version,
            Escalation.status.in_([str(s) for s in allowed]),
        )
        .values(status=to, version=Escalation.version + 1, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    session.refresh(escalation)
    return changed(result) == 1


def _already(escalation: Escalation) -> AlreadyDone:
    status = Status(escalation.status)
    who = {
        Status.ACKNOWLEDGED: escalation.acknowledged_by,
        Status.MEDIATION: escalation.mediation_by,
        Status.RESOLVED: escalation.resolved_by,
    }.get(status)
    by = f" by <@{who}>" if who else ""
    return AlreadyDone(f"{case_number(escalation.id)} is already {STATUS_LABELS[status].lower()}{by}.")


def acknowledge(session: Session, escalation_id: int, *, actor: Actor, desk: Desk, now: datetime) -> Escalation:
    """A coordinator takes the case: its clock stops at once."""
    require_coordinator(desk, actor, "acknowledge a case")
    escalation = get(session, escalation_id)
    if not _transition(session, escalation, allowed=(Status.OPEN,), to=Status.ACKNOWLEDGED, now=now,
                       acknowledged_by=actor.user_id, acknowledged_at=now):  # fmt: skip
        raise _already(escalation)
    reminders.finish(session, subject_type=SUBJECT, subject_id=escalation.id, now=now, kinds=ACK_KINDS)
    _changed(session, escalation, actor, Event.ACKNOWLEDGED, desk=desk, now=now)
    return escalation


def schedule_mediation(
    session: Session, escalation_id: int, *, on: date, at: time, actor: Actor, desk: Desk, now: datetime
) -> Escalation:
    """Set (or move) the mediation; both parties are told now and reminded the working day before."""
    require_coordinator(desk, actor, "schedule a mediation")
    when = local_instant(on, at, desk.zone)
    if when <= now:
        raise FormErrors({"day": "Choose a time that has not passed yet."})
    escalation = get(session, escalation_id)
    taken = {"acknowledged_by": actor.user_id, "acknowledged_at": now} if escalation.acknowledged_by is None else {}
    if not _transition(session, escalation, allowed=LIVE, to=Status.MEDIATION, now=now, mediation_at=when,
                       mediation_by=actor.user_id, **taken):  # fmt: skip
        raise _already(escalation)
    reminders.finish(session, subject_type=SUBJECT, subject_id=escalation.id, now=now, kinds=ACK_KINDS)
    for party, zone in people.zones_of(session, parties_of(escalation), fallback=desk.zone).items():
        # The working day before the mediation as each party lives it, in their own zone.
        due = max(day_before_at_start(when, desk, zone=zone), now)
        reminders.add(session, kind=MEDIATION_REMINDER, subject_type=SUBJECT, subject_id=escalation.id,
                      recipient=party, zone=zone.key, due_at=due, now=now, again=True)  # fmt: skip
    _changed(session, escalation, actor, Event.MEDIATION, desk=desk, now=now)
    return escalation


def day_before_at_start(when: datetime, desk: Desk, *, zone: ZoneInfo | None = None) -> datetime:
    """The start of the working day before `when`'s (weekends and holidays skipped back), in `zone` (the person
    reminded's; the community's by default): "reminded the day before" means the last working day before the
    mediation, at its start."""
    zone = zone or desk.zone
    day = when.astimezone(zone).date() - timedelta(days=1)
    while not is_business_day(day, desk.hours.country):
        day -= timedelta(days=1)
    return local_instant(day, desk.hours.start, zone)


def add_note(session: Session, escalation_id: int, *, text: str, actor: Actor, desk: Desk, now: datetime) -> int:
    """A note in the case's thread (checked for personal data); the audit log records that it was added."""
    escalation = get(session, escalation_id)
    require_coordinator_or_party(desk, escalation, actor, "add notes")
    note = EscalationNote(escalation_id=escalation.id, text=text, added_by=actor.user_id, added_at=now)
    session.add(note)
    session.flush()
    _audit(session, escalation, actor, "escalation.note", now, note=note.id)
    outbox.enqueue(session, kind=THREAD, channel=desk.channel, subject_id=escalation.id, now=now,
                   detail={"event": Event.NOTE, "by": actor.user_id, "note": note.id})  # fmt: skip
    return note.id


def check_note(raw: str, *, field: str, today: date, required: bool = True, limit: int = NOTE_LIMIT) -> str:
    text = privacy.clean_text(raw).strip()
    if required and not text:
        raise FormErrors({field: "Write something (no names or personal details)."})
    if len(text) > limit:
        raise FormErrors({field: f"Too long: {len(text)} characters, at most {limit}."})
    if found := privacy.check_text(text, field=privacy.FieldKind.NOTE, today=today):
        raise FormErrors({field: found.message})
    return text


def resolve(
    session: Session,
    escalation_id: int,
    *,
    outcome: str,
    summary: str,
    debrief_held: bool,
    actor: Actor,
    desk: Desk,
    now: datetime,
) -> Escalation:
    """Record the outcome; a welfare concern is resolved only once its post-incident debrief is held."""
    require_coordinator(desk, actor, "resolve a case")
    if outcome not in set(Outcome):
        raise FormErrors({"outcome": "Choose the outcome."})
    escalation = get(session, escalation_id)
    if (
        escalation.category == Category.WELFARE
        and not debrief_held
        and Step.DEBRIEF not in steps_done(session, escalation.id)
    ):
        raise FormErrors({"debrief": "A welfare concern is resolved after its post-incident debrief: hold it first."})
    if not _transition(session, escalation, allowed=LIVE, to=Status.RESOLVED, now=now, resolved_by=actor.user_id,
                       resolved_at=now, outcome=outcome, summary=summary):  # fmt: skip
        raise _already(escalation)
    if escalation.category == Category.WELFARE and debrief_held:
        rows.tick(session, escalation_id=escalation.id, step=Step.DEBRIEF, by=actor.user_id, now=now)
        outbox.enqueue(session, kind=CHECKLIST, channel=desk.channel, subject_id=escalation.id, now=now)
    reminders.finish(session, subject_type=SUBJECT, subject_id=escalation.id, now=now)
    _changed(session, escalation, actor, Event.RESOLVED, desk=desk, now=now, outcome=outcome)
    return escalation


def reopen(session: Session, escalation_id: int, *, actor: Actor, desk: Desk, now: datetime) -> Escalation:
    """A resolved case is live again, held by the coordinator who reopened it (no clock: someone has it)."""
    require_coordinator(desk, actor, "reopen a case")
    escalation = get(session, escalation_id)
    if not _transition(session, escalation, allowed=(Status.RESOLVED,), to=Status.ACKNOWLEDGED, now=now,
                       acknowledged_by=actor.user_id, acknowledged_at=escalation.acknowledged_at or now,
                       resolved_by=None, resolved_at=None, outcome=None, summary="", mediation_at=None,
                       reopened_at=now):  # fmt: skip
        raise AlreadyDone(
            f"{case_number(escalation.id)} is not resolved: it is {STATUS_LABELS[Status(escalation.status)].lower()}."
        )
    _changed(session, escalation, actor, Event.REOPENED, desk=desk, now=now)
    return escalation


def tick_step(session: Session, escalation_id: int, *, step: str, actor: Actor, desk: Desk, now: datetime) -> None:
    """Tick one step of a welfare concern's protocol, once, with who and when."""
    escalation = get(session, escalation_id)
    require_coordinator_or_party(desk, escalation, actor, "tick the protocol's steps")
    if escalation.category != Category.WELFARE or step not in set(Step):
        raise UserError("That step is not part of this case.")
    if not rows.tick(session, escalation_id=escalation.id, step=Step(step), by=actor.user_id, now=now):
        done = session.scalar(
            select(EscalationStep).where(EscalationStep.escalation_id == escalation.id, EscalationStep.step == step)
        )
        raise AlreadyDone(f"“{STEP_LABELS[Step(step)]}” was already ticked by <@{done.done_by if done else '?'}>.")
    _audit(session, escalation, actor, "escalation.step", now, step=step)
    outbox.enqueue(session, kind=CHECKLIST, channel=desk.channel, subject_id=escalation.id, now=now)


def mark_overdue(session: Session, escalation_id: int, *, desk_channel: str, now: datetime) -> bool:
    """The 48-hour point passed unacknowledged: the card says overdue (once), and its thread says so."""
    marked = session.execute(
        update(Escalation)
        .where(Escalation.id == escalation_id, Escalation.status == Status.OPEN, Escalation.overdue_since.is_(None))
        .values(overdue_since=now, version=Escalation.version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if changed(marked) != 1:
        return False
    audit.record(session, actor="system", actor_team=None, action="escalation.overdue", subject_type=SUBJECT,
                 subject_id=escalation_id, at=now, detail={"status": Status.OPEN})  # fmt: skip
    outbox.enqueue(session, kind=CARD, channel=desk_channel, subject_id=escalation_id, now=now)
    outbox.enqueue(session, kind=THREAD, channel=desk_channel, subject_id=escalation_id, now=now,
                   detail={"event": Event.OVERDUE})  # fmt: skip
    return True


def still_waiting(session: Session, escalation_id: int) -> bool:
    """True while nobody has acknowledged the case."""
    return session.scalar(select(Escalation.status).where(Escalation.id == escalation_id)) == Status.OPEN


def mediation_pending(session: Session, escalation_id: int, *, now: datetime) -> bool:
    row = session.execute(
        select(Escalation.status, Escalation.mediation_at).where(Escalation.id == escalation_id)
    ).one_or_none()
    return row is not None and row[0] == Status.MEDIATION and row[1] is not None and row[1] > now


def parties_of(escalation: Escalation) -> list[str]:
    """Who raised the case and the other party (once, if they are the same person)."""
    return list(dict.fromkeys((escalation.raised_by, escalation.other_party)))


def _tell_parties(session: Session, escalation: Escalation, event: Event, *, by: str, now: datetime) -> None:
    for party in parties_of(escalation):
        outbox.enqueue(session, kind=PARTY_DM, channel=party, subject_id=escalation.id, now=now,
                       detail={"event": event, "by": by})  # fmt: skip


def _changed(
    session: Session, escalation: Escalation, actor: Actor, event: Event, *, desk: Desk, now: datetime, **extra: object
) -> None:
    """After a status change: audited; the card, its thread, the parties and any shared channel follow."""
    _audit(session, escalation, actor, f"escalation.{event}", now, **extra)
    outbox.enqueue(session, kind=CARD, channel=desk.channel, subject_id=escalation.id, now=now)
    outbox.enqueue(session, kind=THREAD, channel=desk.channel, subject_id=escalation.id, now=now,
                   detail={"event": event, "by": actor.user_id})  # fmt: skip
    _tell_parties(session, escalation, event, by=actor.user_id, now=now)
    for channel in posted.channels(session, subject_type=SUBJECT, subject_id=escalation.id, role=SHARED_ROLE):
        outbox.enqueue(session, kind=SHARED, channel=channel, subject_id=escalation.id, now=now)


def _audit(session: Session, escalation: Escalation, actor: Actor, action: str, now: datetime, **extra: object) -> None:
    # Ids, category and status only: what people typed and the client code stay out of the audit log.
    audit.record(
        session, actor=actor.user_id, actor_team=actor.team_id, action=action, subject_type=SUBJECT,
        subject_id=escalation.id, at=now,
        detail={"property": escalation.property_id, "category": escalation.category, "urgency": escalation.urgency,
                "status": escalation.status, **extra},
    )  # fmt: skip


def steps_done(session: Session, escalation_id: int) -> dict[str, EscalationStep]:
    found = session.scalars(select(EscalationStep).where(EscalationStep.escalation_id == escalation_id))
    return {s.step: s for s in found}


def note(session: Session, note_id: object) -> EscalationNote | None:
    return session.get(EscalationNote, note_id) if isinstance(note_id, int) else None


# -- what coordinators and parties see ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    property: str = ""  # a word of the property's name
    category: Category | None = None
    overdue: bool = False


def parse_filters(text: str) -> Filters:
    """`property:maple category:welfare overdue` (any order); UserError naming what it did not understand."""
    prop, category, overdue, unknown = "", None, False, []
    for word in text.split():
        key, sep, value = word.partition(":")
        key = key.lower()
        if not sep and key in ("overdue", "late"):
            overdue = True
        elif sep and key in ("property", "prop", "p") and value:
            prop = value
        elif sep and key in ("category", "cat", "c") and value.lower() in set(Category):
            category = Category(value.lower())
        else:
            unknown.append(word)
    if unknown:
        kinds = ", ".join(c.value for c in Category)
        raise UserError(f"I don't understand {' '.join(unknown)!r}. Filters: `property:NAME`, `category:KIND` "
                        f"({kinds}), `overdue`.")  # fmt: skip
    return Filters(property=prop, category=category, overdue=overdue)


@dataclass(frozen=True)
class Line:
    """One case as a list shows it: no free text, no client code."""

    id: int
    property_name: str
    category: Category
    urgency: Urgency
    status: Status
    raised_by: str
    other_party: str
    created_at: datetime
    next_deadline: datetime | None
    overdue: bool


def next_deadline_of(now: datetime) -> ColumnElement[datetime | None]:
    """The case's next deadline: acknowledgement (the 24-hour point, then the 48-hour one), or its mediation."""
    return case(
        (and_(Escalation.status == Status.OPEN, Escalation.remind_due_at > now), Escalation.remind_due_at),
        (Escalation.status == Status.OPEN, Escalation.overdue_due_at),
        (Escalation.status == Status.MEDIATION, Escalation.mediation_at),
        else_=None,
    )


def _overdue(now: datetime) -> ColumnElement[bool]:
    return and_(Escalation.status == Status.OPEN, Escalation.overdue_due_at <= now)


def open_cases(
    session: Session, filters: Filters = Filters(), *, now: datetime, party: str | None = None, limit: int = SHOWN
) -> tuple[list[Line], int]:
    """Live cases by next deadline (those without one last, oldest first), and how many match: two queries.

    `party`: only the cases this person is a party to (their own view); None: every case (a coordinator's).
    """
    where: list[ColumnElement[bool]] = [Escalation.status.in_([str(s) for s in LIVE])]
    if party is not None:
        where.append(or_(Escalation.raised_by == party, Escalation.other_party == party))
    if filters.category is not None:
        where.append(Escalation.category == filters.category)
    if filters.overdue:
        where.append(_overdue(now))
    if filters.property:
        where.append(func.lower(Property.name).contains(filters.property.lower(), autoescape=True))
    deadline = next_deadline_of(now)
    found = session.execute(
        select(
            Escalation.id, Property.name, Escalation.category, Escalation.urgency, Escalation.status,
            Escalation.raised_by, Escalation.other_party, Escalation.created_at, deadline, _overdue(now),
        )
        .join(Property, Property.id == Escalation.property_id)
        .where(*where)
        .order_by(deadline.asc().nulls_last(), Escalation.created_at, Escalation.id)
        .limit(limit)
    ).all()  # fmt: skip
    total = session.scalar(
        select(func.count(Escalation.id)).join(Property, Property.id == Escalation.property_id).where(*where)
    )
    return [_line(row) for row in found], int(total or 0)


def _line(row: Iterable[object]) -> Line:
    id_, name, category, urgency, status, raised_by, other, created, deadline, overdue = row
    return Line(
        id=int(id_), property_name=str(name), category=Category(str(category)), urgency=Urgency(str(urgency)),  # type: ignore[call-overload]
        status=Status(str(status)), raised_by=str(raised_by), other_party=str(other), created_at=created,  # type: ignore[arg-type]
        next_deadline=deadline, overdue=bool(overdue),  # type: ignore[arg-type]
    )  # fmt: skip


def recently_resolved(session: Session, *, party: str, limit: int = 5) -> list[Line]:
    """A party's last resolved cases (their Home tab shows how their cases ended): one query."""
    found = session.execute(
        select(
            Escalation.id, Property.name, Escalation.category, Escalation.urgency, Escalation.status,
            Escalation.raised_by, Escalation.other_party, Escalation.created_at, Escalation.resolved_at,
            Escalation.overdue_since.is_not(None),
        )
        .join(Property, Property.id == Escalation.property_id)
        .where(
            Escalation.status == Status.RESOLVED,
            or_(Escalation.raised_by == party, Escalation.other_party == party),
        )
        .order_by(Escalation.resolved_at.desc())
        .limit(limit)
    ).all()  # fmt: skip
    return [_line((*row[:8], None, False)) for row in found]


def open_cases_for_properties(session: Session, property_ids: Iterable[int]) -> dict[int, list[str]]:
    """For the weekly check-in agendas: each property's live cases by case number ("E-12"), oldest first; one
    query. Properties without a live case are absent."""
    wanted = list(dict.fromkeys(property_ids))
    if not wanted:
        return {}
    found: dict[int, list[str]] = {}
    for property_id, escalation_id in session.execute(
        select(Escalation.property_id, Escalation.id)
        .where(Escalation.property_id.in_(wanted), Escalation.status.in_([str(s) for s in LIVE]))
        .order_by(Escalation.property_id, Escalation.id)
    ):
        found.setdefault(property_id, []).append(case_number(escalation_id))
    return found


def deadline_for(escalation: Escalation, now: datetime) -> datetime | None:
    """The card's "next deadline" (as `next_deadline_of` computes it in SQL)."""
    if escalation.status == Status.OPEN:
        if escalation.remind_due_at is not None and escalation.remind_due_at > now:
            return escalation.remind_due_at
        return escalation.overdue_due_at
    if escalation.status == Status.MEDIATION:
        return escalation.mediation_at
    return None


# -- the coordinator's report ------------------------------------------------------------------------------------

# Categories, times and outcomes only: what happened, the summaries, notes and client codes stay out (exports
# leave the system).
EXPORT_COLUMNS = (
    "case", "category", "property", "urgency", "status", "opened_at", "hours_to_acknowledge", "hours_to_resolve",
    "outcome", "was_overdue",
)  # fmt: skip


def export_rows(session: Session) -> Iterable[list[object]]:
    """`porchlight export escalations`: one row per case, streamed (elapsed clock hours, one decimal)."""
    query = (
        select(
            Escalation.id, Escalation.category, Property.name, Escalation.urgency, Escalation.status,
            Escalation.created_at, Escalation.acknowledged_at, Escalation.resolved_at, Escalation.outcome,
            Escalation.overdue_since,
        )
        .join(Property, Property.id == Escalation.property_id)
        .order_by(Escalation.id)
        .execution_options(yield_per=500)
    )  # fmt: skip
    for case_id, category, prop, urgency, status, opened, acked, resolved, outcome, overdue in session.execute(query):
        yield [
            case_number(case_id), category, prop, urgency, status, opened.isoformat(), _hours_between(opened, acked),
            _hours_between(opened, resolved), outcome or "", "yes" if overdue else "no",
        ]  # fmt: skip


def _hours_between(start: datetime, end: datetime | None) -> str:
    return "" if end is None else f"{(end - start).total_seconds() / 3600:.1f}"
