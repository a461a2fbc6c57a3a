"""The scheduler: APScheduler runs the periodic ticks, with an explicit time zone and safe job defaults."""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED

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


class OutboxWaker:
    """`deps.wake_outbox` for a process that runs the scheduler: asks for a delivery round now, never blocking.

    The ask is handed to a thread of its own because APScheduler's shutdown(wait=True) holds the job-store lock
    while it waits for running jobs: a job (a tick that queued posts) that called `wake` then would wait for that
    lock forever, and so would the shutdown (CI caught a test's bot hanging at stop). Asks made while one is
    pending count once.
    """

    def __init__(self, scheduler: BackgroundScheduler) -> None:
        self._scheduler = scheduler
        self._asked = threading.Event()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="outbox-wake", daemon=True)
        self._thread.start()

    def __call__(self) -> None:
        self._asked.set()

    def close(self) -> None:
        self._closed = True
        self._asked.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        while True:
            self._asked.wait()
            self._asked.clear()
            if self._closed or self._scheduler.state == STATE_STOPPED:
                return
            wake(self._scheduler, OUTBOX_JOB)
