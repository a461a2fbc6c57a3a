"""Scheduled work runs once per period: after a restart, on two instances, and never for a period twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import ManualClock
from bot.deps import Deps
from jobs import ticks
from storage import periods

MONDAY_8AM = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)  # 8:00 in Chicago


def test_the_daily_check_runs_once_when_it_falls_due(deps: Deps, clock: ManualClock) -> None:
    clock.set(MONDAY_8AM)
    assert ticks.run(deps=deps) == []
    clock.advance(timedelta(hours=1, minutes=1))
    assert ticks.run(deps=deps) == [("staleness", "2026-11-23")]
    assert ticks.run(deps=deps) == []  # the next tick, the same period: nothing


def test_a_restart_catches_up_within_the_window(deps: Deps, clock: ManualClock) -> None:
    clock.set(datetime(2026, 11, 24, 1, 0, tzinfo=UTC))  # 19:00 Monday in Chicago: 9:00 passed while down
    assert ticks.run(deps=deps) == [("staleness", "2026-11-23")]


def test_two_instances_run_a_period_once(deps: Deps, clock: ManualClock) -> None:
    clock.set(MONDAY_8AM + timedelta(hours=2))
    other = Deps(settings=deps.settings, session_factory=deps.session_factory, clock=clock, client=deps.client,
                 delivery_client=deps.delivery_client)  # fmt: skip
    try:
        first, second = ticks.run(deps=deps), ticks.run(deps=other)
    finally:
        other.contact_log.close()
    assert len(first) + len(second) == 1
    with deps.session_factory() as session:
        assert periods.ran(session, "staleness") == ["2026-11-23"]
