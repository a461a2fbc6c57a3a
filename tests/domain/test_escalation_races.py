"""Escalations when people and instances act at the same moment: whatever order the database picks, a deadline
reminder is sent once, a case is taken by one coordinator (the other is told who), and a resolve racing a
reopen leaves a case that is either resolved with its outcome or live with none.

Each race runs many times, in real threads with separate sessions lined up by a barrier. On PostgreSQL they
really interleave (the two "instances" of the first race have engines of their own, as two processes would);
SQLite's single writer serialises them, so there they only check the outcomes.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.app import wire
from bot.clock import ManualClock
from bot.delivery import Plugins
from bot.deps import Deps
from bot.domain import escalations, people
from bot.domain.actors import Actor
from bot.domain.escalations import Desk, Status
from bot.domain.working_time import WorkingHours
from bot.errors import UserError
from bot.slack.client import build_delivery_client, build_web_client
from jobs import reminders as reminder_engine
from storage.db import make_engine, make_session_factory
from storage.models import AuditEntry, Escalation, OutboxMessage, Property, Reminder
from tests.conftest import make_settings

TRIES = 20
MONDAY_9 = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
COORD, BACKUP = Actor("U0COORD", "T0PORCH"), Actor("U0BACKUP", "T0PORCH")
RSC, PM = Actor("U0RSC", "T0PORCH"), Actor("W0PM", "T0PARTNER")
DESK = Desk(channel="C0ESCALATE", coordinators=("U0COORD",), backups=("U0BACKUP",),
            hours=WorkingHours(country="US"), zone=ZoneInfo("America/Chicago"))  # fmt: skip

Step = Callable[[Session], Any]


def new_case(session_factory: sessionmaker[Session], *, now: datetime = MONDAY_9) -> int:
    with session_factory.begin() as session:
        prop = session.scalar(select(Property).where(Property.name == "Maple Court"))
        if prop is None:
            prop = Property(name="Maple Court", shared_channel="C0SHARED")
            session.add(prop)
            session.flush()
        draft = escalations.Draft(property_id=str(prop.id), category="nonpayment", urgency="normal", roi="yes",
                                  other_party=(PM.user_id,), what_happened="Two months behind on rent.")  # fmt: skip
        facts = escalations.check(draft, raised_by=RSC.user_id, today=now.date())
        case = escalations.raise_case(session, facts, actor=RSC, source=escalations.Source(), desk=DESK, now=now)
        return case.id


def at_once(session_factories: list[sessionmaker[Session]], *steps: Step) -> list[Any]:
    """Each step in its own thread and transaction (the nth on the nth session factory, round robin), all released
    together; what each returned, or the UserError it was told."""
    barrier = threading.Barrier(len(steps))

    def run(numbered: tuple[int, Step]) -> Any:
        n, step = numbered
        barrier.wait()
        try:
            with session_factories[n % len(session_factories)].begin() as session:
                return step(session)
        except UserError as told:
            return told

    with ThreadPoolExecutor(len(steps)) as pool:
        return list(pool.map(run, enumerate(steps)))


def audited(session: Session, case_id: int) -> list[str]:
    return list(session.scalars(select(AuditEntry.action).where(AuditEntry.subject_type == "escalation",
                                                                AuditEntry.subject_id == case_id)
                                .order_by(AuditEntry.id)))  # fmt: skip


# -- two instances ticking -----------------------------------------------------------------------------------------


@pytest.fixture
def instances(database_url: str, engine: Any) -> Iterator[list[Deps]]:
    """Two Porchlights on one database, each with its own engine (its own connections), as two processes."""
    settings = make_settings(DATABASE_URL=database_url, PORCHLIGHT_BACKUP_COORDINATORS="U0BACKUP")
    clock = ManualClock(MONDAY_9)
    engines = [engine, make_engine(database_url)]
    started = [
        Deps(settings=settings, session_factory=make_session_factory(e), clock=clock,
             client=build_web_client(settings), delivery_client=build_delivery_client(settings, timeout=2),
             plugins=wire(Plugins()))
        for e in engines
    ]  # fmt: skip
    yield started
    for deps in started:
        deps.contact_log.close()
    engines[1].dispose()


def ticking(deps: Deps, now: datetime) -> Step:
    """An instance's reminder pass at `now` (it opens its own transactions: the step's is left unused)."""
    return lambda _session: reminder_engine.run(deps=deps, now=now)


def test_two_instances_ticking_at_once_send_each_deadline_reminder_once(instances: list[Deps]) -> None:
    factories = [deps.session_factory for deps in instances]
    for attempt in range(TRIES):
        case_id = new_case(factories[0])
        # Both deadlines at once (48 business hours: Wednesday 9:00), or only the first (24: Tuesday 9:00).
        due = MONDAY_9 + timedelta(days=2 if attempt % 2 else 1)
        sent = at_once(factories, *(ticking(deps, due) for deps in instances))
        with factories[0]() as session:
            rows = session.scalars(select(Reminder).where(Reminder.subject_id == case_id)).all()
            told = Counter(
                (row.channel, row.detail.get("event"))
                for row in session.scalars(select(OutboxMessage).where(
                    OutboxMessage.subject_id == case_id, OutboxMessage.kind.in_(
                        (escalations.COORDINATOR_DM, escalations.THREAD, escalations.CARD)))).all()
            )  # fmt: skip
            overdue = [a for a in audited(session, case_id) if a == "escalation.overdue"]
        mine = {r.id for r in rows}
        claimed = [rid for result in sent for rid in result if rid in mine]
        assert len(claimed) == len(set(claimed))  # no reminder was sent by both instances
        assert all(r.sent_count <= 1 for r in rows)
        if attempt % 2:  # the coordinator reminded, the backup told, the card marked overdue: once each
            assert len(claimed) == 3 and all(r.done_at is not None for r in rows)
            assert told[("U0COORD", escalations.Event.REMIND)] == 1
            assert told[("U0BACKUP", escalations.Event.OVERDUE)] == 1
            assert told[("C0ESCALATE", escalations.Event.OVERDUE)] == 1  # the thread's line
            assert told[("C0ESCALATE", None)] == 2  # the card: posted, then edited to show it overdue
            assert len(overdue) == 1
        else:  # only the coordinator's reminder was due
            assert len(claimed) == 1
            assert told[("U0COORD", escalations.Event.REMIND)] == 1
            assert ("U0BACKUP", escalations.Event.OVERDUE) not in told
            assert overdue == []
        with factories[0].begin() as session:  # this case is done with: the next try's ticks see only theirs
            escalations.acknowledge(session, case_id, actor=COORD, desk=DESK, now=due)


# -- people clicking -------------------------------------------------------------------------------------------


def acknowledge(case_id: int, actor: Actor) -> Step:
    return lambda session: escalations.acknowledge(session, case_id, actor=actor, desk=DESK, now=MONDAY_9).id


def resolve(case_id: int, actor: Actor) -> Step:
    return lambda session: escalations.resolve(
        session, case_id, outcome="payment_plan", summary="Payment plan agreed.", debrief_held=False, actor=actor,
        desk=DESK, now=MONDAY_9,
    ).id  # fmt: skip


def reopen(case_id: int, actor: Actor) -> Step:
    return lambda session: escalations.reopen(session, case_id, actor=actor, desk=DESK, now=MONDAY_9).id


def test_two_coordinators_acknowledging_at_once_one_takes_it_and_the_other_is_told_who(
    session_factory: sessionmaker[Session],
) -> None:
    for _ in range(TRIES):
        case_id = new_case(session_factory)
        results = at_once([session_factory], acknowledge(case_id, COORD), acknowledge(case_id, BACKUP))
        [won] = [who for who, result in zip((COORD, BACKUP), results, strict=True) if result == case_id]
        [refused] = [r for r in results if isinstance(r, escalations.AlreadyDone)]
        assert refused.message == f"E-{case_id} is already acknowledged by <@{won.user_id}>."
        with session_factory() as session:
            case = session.get(Escalation, case_id)
            assert case is not None and (case.status, case.acknowledged_by, case.version) == (
                Status.ACKNOWLEDGED, won.user_id, 2)  # fmt: skip
            assert all(r.done_at is not None for r in session.scalars(
                select(Reminder).where(Reminder.subject_id == case_id)))  # fmt: skip
            assert audited(session, case_id) == ["escalation.raised", "escalation.acknowledged"]
            dms = session.scalars(select(OutboxMessage.channel).where(
                OutboxMessage.subject_id == case_id, OutboxMessage.kind == escalations.PARTY_DM,
                OutboxMessage.detail["event"].as_string() == escalations.Event.ACKNOWLEDGED)).all()  # fmt: skip
            assert sorted(dms) == ["U0RSC", "W0PM"]  # each party told once


def test_a_resolve_racing_a_reopen_leaves_a_case_resolved_with_its_outcome_or_live_without_one(
    session_factory: sessionmaker[Session],
) -> None:
    """A resolved case: one coordinator reopens it while the other submits the Resolve form they opened before
    it was resolved. Reopened first, the resolve applies to the live case; resolved first, the reopen wins and
    the resolve is told the case is already resolved."""
    seen: Counter[str] = Counter()
    for _ in range(TRIES):
        case_id = new_case(session_factory)
        with session_factory.begin() as session:
            resolve(case_id, COORD)(session)
        reopened, resolved = at_once([session_factory], reopen(case_id, BACKUP), resolve(case_id, COORD))
        assert reopened == case_id  # the case was resolved when the reopen began: it always applies
        with session_factory() as session:
            case = session.get(Escalation, case_id)
            assert case is not None
            actions = audited(session, case_id)
            live = [r for r in session.scalars(select(Reminder).where(Reminder.subject_id == case_id))
                    if r.done_at is None]  # fmt: skip
        assert live == []  # neither starts a clock
        if resolved == case_id:  # reopened, then resolved again
            seen["reopened, then resolved"] += 1
            assert (case.status, case.outcome, case.resolved_by) == (Status.RESOLVED, "payment_plan", COORD.user_id)
            assert case.resolved_at is not None and case.version == 4
            assert actions[-2:] == ["escalation.reopened", "escalation.resolved"]
        else:
            seen["the resolve refused"] += 1
            assert isinstance(resolved, escalations.AlreadyDone)
            assert "already resolved" in resolved.message or "already acknowledged" in resolved.message
            assert (case.status, case.outcome, case.resolved_by, case.resolved_at) == (
                Status.ACKNOWLEDGED, None, None, None)  # fmt: skip
            assert case.acknowledged_by == BACKUP.user_id and case.version == 3
            assert actions[-1] == "escalation.reopened"
        assert actions.count("escalation.resolved") == (3 if resolved == case_id else 2) - 1
    assert sum(seen.values()) == TRIES


# -- two instances learning the same zones ------------------------------------------------------------------------


def test_two_instances_learning_the_same_persons_zone_at_once_both_keep_it(instances: list[Deps]) -> None:
    """Both start at once and learn the coordinators' zones (bot.slack.zones): neither fails on the other's row."""
    factories = [deps.session_factory for deps in instances]
    for attempt in range(TRIES):
        user = f"U0NEW{attempt}"
        kept = at_once(factories, *(
            lambda session, zone=zone, user=user: people.remember_zone(session, user, zone, now=MONDAY_9)
            for zone in ("Europe/London", "America/New_York")
        ))  # fmt: skip
        assert kept == [True, True]
        with factories[0]() as session:
            assert people.zone_of(session, user, fallback=DESK.zone).key in ("Europe/London", "America/New_York")
