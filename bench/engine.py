"""The scheduling engine at community scale: one tick over 1,000 property schedules, 5,000 partner schedules and
20,000 pending reminders.

    .venv/bin/python -m bench.engine [--quick] [--database URL]

Measured: the queries and time of a quiet tick (nothing due) at full size against the same tick over a tenth of the
rows (the baseline, same run: a constant number of queries means the ratio of queries is 1.0); then a busy tick in
which every schedule falls due at once, with a job that does nothing, to time the engine's own cost per subject
(claiming period keys in one statement per batch and advancing due times in one).
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time as clock
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from sqlalchemy import Engine, event, insert, text
from sqlalchemy.engine import make_url

from bot.clock import ManualClock
from bot.delivery import Context, Plugins, ReminderKind, ScheduledJob
from bot.deps import Deps
from bot.domain.schedule import HolidayRule, MonthlyOn, WeeklyOn, next_due
from bot.settings import load_settings
from jobs import ticks
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.models import Reminder, Schedule

START = datetime(2026, 11, 30, 12, tzinfo=UTC)  # a Monday
ZONES = [ZoneInfo(z) for z in ("America/Chicago", "America/New_York", "America/Denver", "America/Los_Angeles")]


def _seed(engine: Engine, *, properties: int, partners: int, pending: int) -> None:
    rows: list[dict[str, Any]] = []
    for i in range(properties):
        rule = WeeklyOn(weekday=1 + i % 4, at=time(9 + i % 6, 0), zone=ZONES[i % 4], country="US")
        rows.append({"job": "bench.agenda", "subject_type": "property", "subject_id": i + 1, "rule": rule.as_dict(),
                     "next_due_at": next_due(rule, START), "active": True, "created_at": START, "updated_at": START})  # fmt: skip
    for i in range(partners):
        rule = MonthlyOn(day=1 + i % 4, at=time(9, 0), zone=ZONES[i % 4], holiday_rule=HolidayRule.BUSINESS_DAY_BEFORE,
                         country="US")  # fmt: skip
        rows.append({"job": "bench.nudge", "subject_type": "partner", "subject_id": i + 1, "rule": rule.as_dict(),
                     "next_due_at": next_due(rule, START), "active": True, "created_at": START, "updated_at": START})  # fmt: skip
    reminders = [
        {"kind": "bench.remind", "subject_type": "referral", "subject_id": i + 1, "recipient": "U0COORD",
         "zone": "America/Chicago", "due_at": START + timedelta(days=60 + i % 30), "sent_count": 0, "max_sends": 1,
         "created_at": START}
        for i in range(pending)
    ]  # fmt: skip
    with engine.begin() as conn:
        for chunk in range(0, len(rows), 2000):
            conn.execute(insert(Schedule), rows[chunk : chunk + 2000])
        for chunk in range(0, len(reminders), 5000):
            conn.execute(insert(Reminder), reminders[chunk : chunk + 5000])


@contextmanager
def _counting(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def listener(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def _deps(url: str, now: datetime) -> tuple[Deps, Engine, list[int]]:
    settings = load_settings(None, SLACK_BOT_TOKEN="xoxb-bench", SLACK_SIGNING_SECRET="x", DATABASE_URL=url,
                             PORCHLIGHT_CATCH_UP_HOURS="168")  # fmt: skip
    engine = make_engine(url)
    upgrade(engine)
    ran: list[int] = []
    plugins = Plugins()

    def job(context: Context, schedule: Schedule | None, period: str) -> object:
        ran.append(schedule.id if schedule else 0)
        return None

    plugins.jobs.register("bench.agenda", ScheduledJob(run=job))
    plugins.jobs.register("bench.nudge", ScheduledJob(run=job))
    plugins.reminders.register("bench.remind", ReminderKind(still_needed=lambda c, r: False, send=lambda c, r: None))
    deps = Deps(settings=settings, session_factory=make_session_factory(engine), clock=ManualClock(now),
                client=WebClient(), delivery_client=WebClient(), plugins=plugins)  # fmt: skip
    return deps, engine, ran


def _tick(deps: Deps, engine: Engine) -> tuple[int, float, int]:
    with _counting(engine) as seen:
        started = clock.perf_counter()
        report = ticks.tick(deps=deps)
        elapsed = clock.perf_counter() - started
    return len(seen), elapsed * 1000, len(report.ran)


def measure(url_for: Any, *, scale: float) -> dict[str, Any]:
    sizes = {"properties": int(1000 * scale), "partners": int(5000 * scale), "pending": int(20000 * scale)}
    url = url_for(f"full{scale}")
    engine = make_engine(url)
    upgrade(engine)
    _seed(engine, **sizes)
    engine.dispose()
    deps, engine, ran = _deps(url, START + timedelta(hours=1))  # Monday 13:00 UTC: nothing due yet
    quiet = [_tick(deps, engine) for _ in range(5)]
    # Every schedule due at once: each one's next occurrence lies between Tuesday 1 and Friday 4 December.
    deps.clock.set(START + timedelta(days=5))  # type: ignore[attr-defined]
    busy = _tick(deps, engine)
    deps.contact_log.close()
    engine.dispose()
    return {**sizes, "quiet": quiet, "busy": busy, "ran": len(ran)}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.engine")
    parser.add_argument("--quick", action="store_true", help="a tenth of the size")
    parser.add_argument("--database", help="a PostgreSQL URL whose server may hold scratch databases (default SQLite)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    scale = 0.1 if args.quick else 1.0
    made: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:

        def url_for(name: str) -> str:
            if not args.database:
                return f"sqlite:///{tmp}/{name}.db"
            scratch = f"porchlight_bench_{uuid.uuid4().hex[:8]}"
            with make_engine(args.database, isolation_level="AUTOCOMMIT").connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{scratch}"'))
            made.append(scratch)
            return make_url(args.database).set(database=scratch).render_as_string(hide_password=False)

        try:
            base = measure(url_for, scale=scale / 10)
            full = measure(url_for, scale=scale)
        finally:
            if made:
                with make_engine(args.database, isolation_level="AUTOCOMMIT").connect() as conn:
                    for scratch in made:
                        conn.execute(text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
    print(f"database: {'PostgreSQL' if args.database else 'SQLite'}\n")
    report(base, full)
    return 0


def _best(samples: list[tuple[int, float, int]]) -> tuple[int, float]:
    return samples[-1][0], min(ms for _, ms, _ in samples)


def report(base: dict[str, Any], full: dict[str, Any]) -> None:
    print(f"## Scheduling engine, {clock.strftime('%Y-%m-%d')}\n")
    print("| one tick | baseline: " + f"{base['properties']:,} / {base['partners']:,} / {base['pending']:,}"
          + " | " + f"{full['properties']:,} properties / {full['partners']:,} partners / {full['pending']:,} reminders"
          + " | ratio |")  # fmt: skip
    print("|---|---|---|---|")
    (bq, bms), (fq, fms) = _best(base["quiet"]), _best(full["quiet"])
    print(f"| quiet tick: queries | {bq} | {fq} | {fq / bq:.2f}x |")
    print(f"| quiet tick: best of 5 (ms) | {bms:.2f} | {fms:.2f} | {fms / bms:.2f}x |")
    bq, bms, bran = base["busy"]
    fq, fms, fran = full["busy"]
    print(f"| every schedule due: subjects run | {bran:,} | {fran:,} | {fran / max(bran, 1):.1f}x |")
    print(f"| every schedule due: queries | {bq} | {fq} | {fq / bq:.2f}x |")
    print(f"| every schedule due: time (ms) | {bms:.0f} | {fms:.0f} | {fms / bms:.2f}x |")
    print(f"| every schedule due: engine cost per subject (ms) | {bms / max(bran, 1):.3f} | "
          f"{fms / max(fran, 1):.3f} | |")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
