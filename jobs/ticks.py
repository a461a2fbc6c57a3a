"""The scheduled-work tick: what is due now, in the community's time zone, and not yet done for its period?

Each period is claimed under a unique key in the same transaction as the work it queues, so a restart catches up
what fell due while it was down (within PORCHLIGHT_CATCH_UP_HOURS) and two instances never both do it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy.orm import Session

from bot.deps import Deps
from bot.domain import staleness
from bot.domain.schedule import DailyAt
from storage import inbound, outbox, periods

log = logging.getLogger("porchlight.ticks")
STALENESS = "staleness"
HOUSEKEEPING = "housekeeping"
KEEP_EVENT_IDS = timedelta(days=2)  # Slack's retries come within minutes
KEEP_DELIVERED = timedelta(days=30)  # long enough to investigate a delivery


@dataclass(frozen=True)
class Scheduled:
    job: str
    schedule: DailyAt
    work: Callable[[Session, Deps, datetime], object]


def scheduled(deps: Deps) -> list[Scheduled]:
    settings = deps.settings
    daily = DailyAt(at=settings.daily_check_time, zone=settings.zone, country=settings.holidays)
    nightly = DailyAt(at=time(3, 0), zone=settings.zone)
    return [Scheduled(STALENESS, daily, _check_stale), Scheduled(HOUSEKEEPING, nightly, _housekeeping)]


def _housekeeping(session: Session, deps: Deps, now: datetime) -> object:
    """Forget event ids past any retry and outbox rows long delivered, so the tables do not grow forever."""
    events = inbound.forget_events_before(session, now - KEEP_EVENT_IDS)
    rows = outbox.forget_done_before(session, now - KEEP_DELIVERED)
    return {"event_ids": events, "outbox_rows": rows}


def _check_stale(session: Session, deps: Deps, now: datetime) -> object:
    settings = deps.settings
    return staleness.check_stale(
        session, now=now, stale_days=settings.stale_days, expire_days=settings.expire_days, board_channel=deps.board
    )


def run(*, deps: Deps, now: datetime | None = None) -> list[tuple[str, str]]:
    """Run every period that fell due since the catch-up window began; returns (job, period key) run here."""
    now = now or deps.clock.now()
    since = now - timedelta(hours=deps.settings.catch_up_hours)
    done: list[tuple[str, str]] = []
    for item in scheduled(deps):
        for key, due_at in item.schedule.periods(since, now):
            with deps.session_factory.begin() as session:
                if not periods.claim(session, job=item.job, period_key=key, due_at=due_at, now=now):
                    continue
                result = item.work(session, deps, now)
            log.info("ran %s for %s (due %s): %s", item.job, key, due_at, result)
            done.append((item.job, key))
    if done:
        deps.wake_outbox()
    return done
