"""The scheduler: APScheduler runs the periodic ticks, with an explicit time zone and safe job defaults."""

from __future__ import annotations

import logging
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler

from bot.deps import Deps
from jobs import outbox

OUTBOX_JOB = "outbox"
OUTBOX_INTERVAL_SECONDS = 1.0


def build_scheduler(deps: Deps) -> BackgroundScheduler:
    """A scheduler with every Porchlight tick added; call start() to run it."""
    scheduler = BackgroundScheduler(
        timezone=deps.settings.zone,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
    )
    scheduler.add_job(
        _deliver_outbox, "interval", seconds=OUTBOX_INTERVAL_SECONDS, id=OUTBOX_JOB, kwargs={"deps": deps}
    )
    # A skipped tick (the previous one still delivering) is normal here, not worth a warning each second.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
    return scheduler


def _deliver_outbox(deps: Deps) -> None:
    outbox.run(deps=deps)


def wake(scheduler: BackgroundScheduler, job_id: str) -> None:
    """Run a job now rather than at its next tick."""
    job = scheduler.get_job(job_id)
    if job is not None:
        job.modify(next_run_time=datetime.now(scheduler.timezone))
