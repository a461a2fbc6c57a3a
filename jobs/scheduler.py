"""The scheduler: APScheduler runs the periodic ticks, with an explicit time zone and safe job defaults."""

from __future__ import annotations

import logging
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler

from bot.deps import Deps
from jobs import outbox, ticks

OUTBOX_JOB = "outbox"
OUTBOX_INTERVAL_SECONDS = 1.0
TICK_JOB = "scheduled-work"


def build_scheduler(deps: Deps) -> BackgroundScheduler:
    """A scheduler with every Porchlight tick added; call start() to run it."""
    scheduler = BackgroundScheduler(
        timezone=deps.settings.zone,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
    )
    scheduler.add_job(
        _deliver_outbox, "interval", seconds=OUTBOX_INTERVAL_SECONDS, id=OUTBOX_JOB, kwargs={"deps": deps}
    )
    # Due work lives in our tables (period keys), not in APScheduler's store: the tick asks what is due. It
    # runs once at start, so a restart catches up at once.
    scheduler.add_job(
        _tick, "interval", seconds=deps.settings.tick_seconds, id=TICK_JOB, kwargs={"deps": deps},
        next_run_time=datetime.now(deps.settings.zone),
    )  # fmt: skip
    # A skipped tick (the previous one still delivering) is normal here, not worth a warning each second.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
    return scheduler


def _deliver_outbox(deps: Deps) -> None:
    outbox.run(deps=deps)


def _tick(deps: Deps) -> None:
    ticks.run(deps=deps)


def wake(scheduler: BackgroundScheduler, job_id: str) -> None:
    """Run a job now rather than at its next tick."""
    job = scheduler.get_job(job_id)
    if job is not None:
        job.modify(next_run_time=datetime.now(scheduler.timezone))
