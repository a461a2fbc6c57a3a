"""Escalations as rules: who may do what, when the clock reminds whom, what lists and exports show."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from bot.domain import escalations, people
from bot.domain.actors import Actor
from bot.domain.escalations import Category, Desk, Status
from bot.domain.export import write_csv
from bot.domain.working_time import WorkingHours
from bot.errors import FormErrors, NotAllowed, UserError
from storage.models import AuditEntry, Escalation, OutboxMessage, Property, Reminder

CHICAGO = ZoneInfo("America/Chicago")
MONDAY_9 = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
FRIDAY_10 = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
COORD, BACKUP = Actor("U0COORD", "T0PORCH"), Actor("U0BACKUP", "T0PORCH")
RSC, PM = Actor("U0RSC", "T0PORCH"), Actor("W0PM", "T0PARTNER")
DESK = Desk(channel="C0ESCALATE", coordinators=("U0COORD",), backups=("U0BACKUP",),
            hours=WorkingHours(country="US"), zone=CHICAGO)  # fmt: skip
CASE_STUDY = (
    "The tenant is two months behind on rent and has had noise complaints. They refused outreach from the RSC, "
    "then received an eviction notice and told the PM the RSC was not helpful."
)


def listed(session: Session, name: str = "Maple Court") -> int:
    prop = Property(name=name, shared_channel="C0SHARED")
    session.add(prop)
    session.flush()
    return prop.id


def facts(property_id: int, **changes: object) -> escalations.Facts:
    values: dict[str, object] = {
        "property_id": str(property_id), "category": "eviction_notice", "urgency": "normal",
        "other_party": (PM.user_id,), "what_happened": CASE_STUDY, "tried": "", "client_code": "CM-20431",
        "roi": "yes", **changes,
    }  # fmt: skip
    return escalations.check(escalations.Draft(**values), raised_by=RSC.user_id, today=date(2026, 11, 23))  # type: ignore[arg-type]


def raised(session: Session, *, now: datetime = MONDAY_9, **changes: object) -> Escalation:
    return escalations.raise_case(session, facts(listed(session), **changes), actor=RSC, source=escalations.Source(),
                                  desk=DESK, now=now)  # fmt: skip


def test_the_case_study_passes_the_personal_data_check_and_names_do_not() -> None:
    assert facts(1).what_happened == CASE_STUDY
    with pytest.raises(FormErrors) as refused:
        facts(1, what_happened="The tenant Maria was born 04/12/1985", client_code="Maria Lopez", other_party=())
    assert set(refused.value.errors) == {"what_happened", "client_code", "other_party"}
    with pytest.raises(FormErrors) as yourself:
        facts(1, other_party=(RSC.user_id,))
    assert "not yourself" in yourself.value.errors["other_party"]


def test_the_clock_counts_business_hours_and_urgent_cases_run_shorter(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        friday = raised(session, now=FRIDAY_10)
        assert friday.remind_due_at == datetime(2026, 11, 23, 16, 0, tzinfo=UTC)  # Monday 10:00, the weekend skipped
        assert friday.overdue_due_at == datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
        urgent = escalations.raise_case(session, facts(listed(session, "Oak"), urgency="urgent"), actor=RSC,
                                        source=escalations.Source(), desk=DESK, now=MONDAY_9)  # fmt: skip
        assert (urgent.remind_due_at, urgent.overdue_due_at) == (
            datetime(2026, 11, 23, 19, 0, tzinfo=UTC), datetime(2026, 11, 23, 23, 0, tzinfo=UTC))  # fmt: skip
        kinds = sorted(
            (r.kind, r.recipient) for r in session.scalars(select(Reminder).where(Reminder.subject_id == urgent.id))
        )
        assert kinds == [("escalation.ack_due", "U0COORD"), ("escalation.mark_overdue", "C0ESCALATE"),
                         ("escalation.overdue", "U0BACKUP")]  # fmt: skip


def test_acknowledging_stops_the_clock_once_and_a_second_click_is_told_who(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as session:
        case_id = raised(session).id
    with session_factory.begin() as session:
        escalations.acknowledge(session, case_id, actor=COORD, desk=DESK, now=MONDAY_9)
    with session_factory.begin() as session, pytest.raises(escalations.AlreadyDone) as again:
        escalations.acknowledge(session, case_id, actor=BACKUP, desk=DESK, now=MONDAY_9)
    assert str(again.value) == "E-1 is already acknowledged by <@U0COORD>."
    with session_factory() as session:
        assert all(r.done_at is not None for r in session.scalars(select(Reminder)))
        assert not escalations.still_waiting(session, case_id)
        assert [a.action for a in session.scalars(select(AuditEntry).order_by(AuditEntry.id))] == [
            "escalation.raised", "escalation.acknowledged"]  # fmt: skip


def test_only_coordinators_take_resolve_and_reopen_and_only_they_or_the_parties_add_notes(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as session:
        case_id = raised(session).id
    for who in (RSC, PM):
        with session_factory.begin() as session:
            for change in (escalations.acknowledge, escalations.reopen):
                with pytest.raises(NotAllowed):
                    change(session, case_id, actor=who, desk=DESK, now=MONDAY_9)
            with pytest.raises(NotAllowed):
                escalations.resolve(session, case_id, outcome="payment_plan", summary="", debrief_held=False,
                                    actor=who, desk=DESK, now=MONDAY_9)  # fmt: skip
            escalations.add_note(session, case_id, text="Called back.", actor=who, desk=DESK, now=MONDAY_9)
    with session_factory.begin() as session, pytest.raises(NotAllowed):
        escalations.add_note(session, case_id, text="Hi", actor=Actor("U0STRANGER", "T0ELSE"), desk=DESK, now=MONDAY_9)
    with session_factory.begin() as session:  # a backup coordinator is a coordinator here
        escalations.resolve(session, case_id, outcome="payment_plan", summary="Plan agreed.", debrief_held=False,
                            actor=BACKUP, desk=DESK, now=MONDAY_9)  # fmt: skip
        escalations.reopen(session, case_id, actor=COORD, desk=DESK, now=MONDAY_9)
        assert escalations.get(session, case_id).status == Status.ACKNOWLEDGED


def test_a_welfare_concern_tells_every_coordinator_and_is_resolved_after_its_debrief(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as session:
        case_id = raised(session, category="welfare").id
        told = session.scalars(select(OutboxMessage.channel).where(OutboxMessage.kind == escalations.COORDINATOR_DM))
        assert sorted(told) == ["U0BACKUP", "U0COORD"]
    with session_factory.begin() as session, pytest.raises(FormErrors) as refused:
        escalations.resolve(session, case_id, outcome="referred_to_services", summary="", debrief_held=False,
                            actor=COORD, desk=DESK, now=MONDAY_9)  # fmt: skip
    assert set(refused.value.errors) == {"debrief"}
    with session_factory.begin() as session:
        escalations.tick_step(session, case_id, step="debrief", actor=PM, desk=DESK, now=MONDAY_9)
        escalations.resolve(session, case_id, outcome="referred_to_services", summary="", debrief_held=False,
                            actor=COORD, desk=DESK, now=MONDAY_9)  # fmt: skip
        assert escalations.steps_done(session, case_id)["debrief"].done_by == PM.user_id


def test_the_mediation_reminder_is_due_the_working_day_before_at_its_start() -> None:
    monday = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
    assert escalations.day_before_at_start(monday, DESK) == datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # Friday 9:00
    friday = datetime(2026, 11, 27, 16, 0, tzinfo=UTC)  # Thanksgiving Thursday is skipped back to Wednesday
    assert escalations.day_before_at_start(friday, DESK) == datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def test_rescheduling_a_mediation_moves_its_reminders(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        case_id = raised(session).id
        escalations.schedule_mediation(session, case_id, on=date(2026, 12, 2), at=time(14), actor=COORD, desk=DESK,
                                       now=MONDAY_9)  # fmt: skip
        escalations.schedule_mediation(session, case_id, on=date(2026, 12, 8), at=time(10), actor=COORD, desk=DESK,
                                       now=MONDAY_9)  # fmt: skip
        due = {
            r.recipient: r.due_at
            for r in session.scalars(select(Reminder).where(Reminder.kind == escalations.MEDIATION_REMINDER))
        }
        assert due == {
            "U0RSC": datetime(2026, 12, 7, 15, 0, tzinfo=UTC),
            "W0PM": datetime(2026, 12, 7, 15, 0, tzinfo=UTC),
        }
        with pytest.raises(FormErrors):
            escalations.schedule_mediation(session, case_id, on=date(2026, 11, 20), at=time(9), actor=COORD,
                                           desk=DESK, now=MONDAY_9)  # fmt: skip


def test_lists_sort_by_next_deadline_filter_and_cost_two_queries(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        maple, oak = listed(session, "Maple Court"), listed(session, "Oak Row")

        def add(prop: int, **changes: object) -> int:
            return escalations.raise_case(session, facts(prop, **changes), actor=RSC, source=escalations.Source(),
                                          desk=DESK, now=MONDAY_9).id  # fmt: skip

        normal, urgent, welfare = add(maple), add(oak, urgency="urgent"), add(oak, category="welfare")
        done = add(maple)
        escalations.resolve(session, done, outcome="no_action_needed", summary="", debrief_held=False, actor=COORD,
                            desk=DESK, now=MONDAY_9)  # fmt: skip
        escalations.acknowledge(session, welfare, actor=COORD, desk=DESK, now=MONDAY_9)
    with session_factory() as session:
        queries = count_queries(session)
        lines, total = escalations.open_cases(session, now=MONDAY_9)
        assert len(queries) == 2
        assert [line.id for line in lines] == [urgent, normal, welfare] and total == 3  # no deadline: last
        assert [line.id for line in escalations.open_cases(session, escalations.parse_filters("property:oak"),
                                                           now=MONDAY_9)[0]] == [urgent, welfare]  # fmt: skip
        late = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)  # the urgent case's 8 business hours have passed
        assert [
            line.id for line in escalations.open_cases(session, escalations.Filters(overdue=True), now=late)[0]
        ] == [urgent]
        assert escalations.open_cases(session, escalations.Filters(category=Category.WELFARE), now=MONDAY_9)[1] == 1
        assert escalations.open_cases(session, now=MONDAY_9, party="W0SOMEONE")[1] == 0
        queries.clear()
        agenda = escalations.open_cases_for_properties(session, [maple, oak, 999])
        assert agenda == {maple: [f"E-{normal}"], oak: [f"E-{urgent}", f"E-{welfare}"]} and len(queries) == 1


def count_queries(session: Session) -> list[str]:
    seen: list[str] = []

    def record(conn: object, cursor: object, statement: str, *rest: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):  # not the transaction's BEGIN
            seen.append(statement)

    event.listen(session.get_bind(), "before_cursor_execute", record)
    return seen


def test_filters_are_words_and_anything_else_is_refused_with_the_list() -> None:
    assert escalations.parse_filters("overdue category:welfare property:maple") == escalations.Filters(
        property="maple", category=Category.WELFARE, overdue=True)  # fmt: skip
    with pytest.raises(UserError, match="Filters:"):
        escalations.parse_filters("colour:red")


def test_the_export_has_times_and_outcomes_but_no_free_text_or_codes(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        case_id = raised(session, tried="Phoned twice").id
        escalations.acknowledge(
            session, case_id, actor=COORD, desk=DESK, now=datetime(2026, 11, 23, 17, 30, tzinfo=UTC)
        )
        escalations.resolve(session, case_id, outcome="payment_plan", summary="Plan of $150 a month",
                            debrief_held=False, actor=COORD, desk=DESK,
                            now=datetime(2026, 11, 25, 15, 0, tzinfo=UTC))  # fmt: skip
        escalations.add_note(session, case_id, text="Met at the office", actor=COORD, desk=DESK, now=MONDAY_9)
    buffer = io.StringIO()
    with session_factory() as session:
        assert write_csv(session, "escalations", buffer) == 1
    [row] = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    assert row == {"case": "E-1", "category": "eviction_notice", "property": "Maple Court", "urgency": "normal",
                   "status": "resolved", "opened_at": MONDAY_9.isoformat(), "hours_to_acknowledge": "2.5",
                   "hours_to_resolve": "48.0", "outcome": "payment_plan", "was_overdue": "no"}  # fmt: skip
    for secret in ("CM-20431", "behind on rent", "Phoned", "$150", "Met at"):
        assert secret not in buffer.getvalue()
    with session_factory() as session:
        details = " ".join(str(a.detail) for a in session.scalars(select(AuditEntry)))
    for secret in ("CM-20431", "behind on rent", "$150", "Met at"):
        assert secret not in details


LONDON = ZoneInfo("Europe/London")


def test_each_person_is_reminded_in_their_own_time_zone(session_factory: sessionmaker[Session]) -> None:
    monday_3pm = datetime(2026, 11, 23, 21, 0, tzinfo=UTC)  # 15:00 in Chicago, 21:00 in London
    with session_factory.begin() as session:
        people.remember_zone(session, "U0COORD", "Europe/London", now=monday_3pm)
        people.remember_zone(session, "W0PM", "Europe/London", now=monday_3pm)
        case = raised(session, now=monday_3pm)
        due = {(r.kind, r.recipient): (r.zone, r.due_at) for r in session.scalars(select(Reminder))}
    # The case's deadline is the community's (Tuesday 15:00 in Chicago, on the card); in London that is 21:00,
    # so the coordinator there is reminded at the start of their next working day.
    assert case.remind_due_at == datetime(2026, 11, 24, 21, 0, tzinfo=UTC)
    assert due[("escalation.ack_due", "U0COORD")] == ("Europe/London", datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    # The backup's zone is not known: the community's, and the deadline is within their working day.
    assert due[("escalation.overdue", "U0BACKUP")] == ("America/Chicago", datetime(2026, 11, 25, 21, 0, tzinfo=UTC))
    assert due[("escalation.mark_overdue", "C0ESCALATE")] == ("America/Chicago", case.overdue_due_at)

    with session_factory.begin() as session:  # a mediation on Wednesday at 14:00 in Chicago (20:00 in London)
        escalations.schedule_mediation(session, case.id, on=date(2026, 12, 2), at=time(14), actor=COORD, desk=DESK,
                                       now=monday_3pm)  # fmt: skip
        mediation = {r.recipient: (r.zone, r.due_at) for r in session.scalars(
            select(Reminder).where(Reminder.kind == escalations.MEDIATION_REMINDER))}  # fmt: skip
    assert mediation == {
        "U0RSC": ("America/Chicago", datetime(2026, 12, 1, 15, 0, tzinfo=UTC)),  # Tuesday 9:00 in Chicago
        "W0PM": ("Europe/London", datetime(2026, 12, 1, 9, 0, tzinfo=UTC)),  # Tuesday 9:00 in London
    }


def test_reopening_hands_the_case_to_the_coordinator_who_reopened_it_and_starts_no_clock(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as session:
        case_id = raised(session).id
        escalations.acknowledge(session, case_id, actor=COORD, desk=DESK, now=MONDAY_9)
        escalations.resolve(session, case_id, outcome="payment_plan", summary="Plan agreed.", debrief_held=False,
                            actor=COORD, desk=DESK, now=MONDAY_9)  # fmt: skip
    later = datetime(2026, 12, 14, 15, 0, tzinfo=UTC)
    with session_factory.begin() as session:
        reopened = escalations.reopen(session, case_id, actor=BACKUP, desk=DESK, now=later)
        assert (reopened.status, reopened.acknowledged_by, reopened.outcome) == (Status.ACKNOWLEDGED, "U0BACKUP", None)
        assert reopened.acknowledged_at == MONDAY_9  # the first acknowledgement's time stays (the export's figure)
        assert escalations.deadline_for(reopened, later) is None
    with session_factory() as session:
        assert not escalations.still_waiting(session, case_id)
        assert all(r.done_at is not None for r in session.scalars(select(Reminder)))  # nobody will be chased
        reasons = [a.action for a in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert reasons[-2:] == ["escalation.resolved", "escalation.reopened"]
    with session_factory.begin() as session, pytest.raises(escalations.AlreadyDone, match="not resolved"):
        escalations.reopen(session, case_id, actor=COORD, desk=DESK, now=later)
