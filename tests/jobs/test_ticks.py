"""Scheduled work runs once per period: after a restart, on two instances, and never for a period twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.clock import ManualClock
from bot.deps import Deps
from jobs import ticks
from storage import periods

MONDAY_8AM = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # 8:00 in Chicago


def staleness(ran: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [r for r in ran if r[0] == "staleness"]


def test_the_daily_check_runs_once_when_it_falls_due(deps: Deps, clock: ManualClock) -> None:
    clock.set(MONDAY_8AM)
    assert staleness(ticks.run(deps=deps)) == []
    clock.advance(timedelta(hours=1, minutes=1))
    assert ticks.run(deps=deps) == [("staleness", "2026-11-23")]
    assert ticks.run(deps=deps) == []  # the next tick, the same period: nothing


def test_a_restart_catches_up_within_the_window(deps: Deps, clock: ManualClock) -> None:
    clock.set(datetime(2026, 11, 24, 1, 0, tzinfo=UTC))  # 19:00 Monday in Chicago: 9:00 passed while down
    assert staleness(ticks.run(deps=deps)) == [("staleness", "2026-11-23")]


def test_two_instances_run_a_period_once(deps: Deps, clock: ManualClock) -> None:
    clock.set(MONDAY_8AM + timedelta(hours=2))
    other = Deps(settings=deps.settings, session_factory=deps.session_factory, clock=clock, client=deps.client,
                 delivery_client=deps.delivery_client, plugins=deps.plugins)  # fmt: skip
    try:
        first, second = ticks.run(deps=deps), ticks.run(deps=other)
    finally:
        other.contact_log.close()
    assert len(staleness(first)) + len(staleness(second)) == 1
    with deps.session_factory() as session:
        assert periods.ran(session, "staleness") == ["2026-11-23"]


def test_housekeeping_forgets_old_event_ids_and_delivered_rows(deps: Deps, clock: ManualClock) -> None:
    from storage import inbound, outbox
    from storage.models import InboundEvent, OutboxMessage

    old = MONDAY_8AM - timedelta(days=40)
    with deps.session_factory.begin() as session:
        inbound.first_delivery(session, event_id="Ev0OLD", now=old)
        inbound.first_delivery(session, event_id="Ev0NEW", now=MONDAY_8AM)
        sent = outbox.enqueue(session, kind="k", channel="C1", now=old)
        follower = outbox.enqueue(session, kind="k", channel="C2", now=old, after=sent)
        keeper = outbox.enqueue(session, kind="k", channel="C3", now=old)
        sent.status = follower.status = "sent"
        keeper.status = "pending"
    clock.set(MONDAY_8AM - timedelta(hours=4, minutes=59))  # 3:01 in Chicago
    assert ("housekeeping", "2026-11-23") in ticks.run(deps=deps)
    with deps.session_factory() as session:
        assert list(session.scalars(select(InboundEvent.event_id))) == ["Ev0NEW"]
        assert list(session.scalars(select(OutboxMessage.status))) == ["pending"]


def test_a_bot_that_starts_a_day_late_does_the_days_work_once(deps: Deps, clock: ManualClock) -> None:
    clock.set(datetime(2026, 11, 24, 16, 0, tzinfo=UTC))  # Tuesday 10:00 in Chicago: Monday's 9:00 passed a day ago
    assert staleness(ticks.run(deps=deps)) == [("staleness", "2026-11-24")]  # the latest day's, not Monday's too
    assert staleness(ticks.run(deps=deps)) == []
    with deps.session_factory() as session:
        assert periods.ran(session, "staleness") == ["2026-11-24"]
