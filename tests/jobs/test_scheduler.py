"""Waking the outbox from inside a scheduled job never deadlocks the scheduler's shutdown."""

from __future__ import annotations

import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED

from jobs.scheduler import OUTBOX_JOB, OutboxWaker
from tests.e2e.helpers import eventually


def test_a_job_that_wakes_the_outbox_while_the_scheduler_shuts_down_lets_it_finish() -> None:
    zone = ZoneInfo("America/Chicago")
    scheduler = BackgroundScheduler(timezone=zone)
    delivered = threading.Event()
    scheduler.add_job(delivered.set, "interval", hours=1, id=OUTBOX_JOB)
    waker = OutboxWaker(scheduler)
    started, release, woke = threading.Event(), threading.Event(), threading.Event()

    def tick() -> None:  # a tick that queued posts, and asks for them to go out, as shutdown begins
        started.set()
        release.wait()
        waker()
        woke.set()

    scheduler.add_job(tick, "date", run_date=datetime.now(zone))
    scheduler.start()
    waker()
    eventually(delivered.is_set, what="a wake runs the outbox job now, not in an hour")
    eventually(started.is_set, what="the tick running")
    stopping = threading.Thread(target=scheduler.shutdown, kwargs={"wait": True}, daemon=True)
    stopping.start()
    eventually(lambda: scheduler.state == STATE_STOPPED, what="shutdown begun")
    time.sleep(0.2)  # let shutdown take its locks and wait for the tick (not a timing assertion)
    release.set()
    stopping.join(timeout=10)
    assert not stopping.is_alive(), "the scheduler's shutdown waited forever for a tick that woke the outbox"
    assert woke.is_set()
    waker.close()
