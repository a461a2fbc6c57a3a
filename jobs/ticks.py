"""The scheduled-work tick: what is due now, for the community and for each subject, and not yet done for its
period? Then the reminders whose time has come.

Each period is claimed under a unique key before its work runs, in the same transaction, so a restart catches up
what fell due while it was down (within PORCHLIGHT_CATCH_UP_HOURS) and two instances never both do it. The tick
knows no feature: jobs and reminder kinds come from `deps.plugins`, registered by the wiring.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.delivery import Context, ScheduledJob
from bot.deps import Deps
from bot.domain.schedule import next_due, rule_from
from jobs import reminders
from storage import periods, schedules
from storage.models import Schedule

log = logging.getLogger("porchlight.ticks")
SUBJECT_BATCH = 10_000  # due subject schedules per transaction: a whole community's due work is one batch


@dataclass
class TickReport:
    ran: list[tuple[str, str]] = field(default_factory=list)  # (job, period key)
    reminded: list[int] = field(default_factory=list)  # reminder ids sent


def run(*, deps: Deps, now: datetime | None = None) -> list[tuple[str, str]]:
    """Run every period that fell due since the catch-up window began; returns (job, period key) run here."""
    return tick(deps=deps, now=now).ran


def tick(*, deps: Deps, now: datetime | None = None) -> TickReport:
    now = now or deps.clock.now()
    since = now - timedelta(hours=deps.settings.catch_up_hours)
    report = TickReport()
    for name, job in deps.plugins.jobs.items():
        if job.community_rule is not None:
            report.ran += _community(deps, name, job, since=since, now=now)
    report.ran += _subjects(deps, since=since, now=now)
    report.reminded = reminders.run(deps=deps, now=now)
    if report.ran or report.reminded:
        deps.wake_outbox()
    return report


def _community(deps: Deps, name: str, job: ScheduledJob, *, since: datetime, now: datetime) -> list[tuple[str, str]]:
    assert job.community_rule is not None
    done = []
    for key, due_at in _latest(name, list(job.community_rule(deps.settings).periods(since, now))):
        try:
            with deps.session_factory.begin() as session:
                if not periods.claim(session, job=name, period_key=key, due_at=due_at, now=now):
                    continue
                result = job.run(Context(deps.settings, session, now), None, key)
        except Exception:
            # Its transaction rolled back with its claim, so the next tick runs the period again. A job that
            # breaks every time must not hold up the other jobs, the subjects' schedules and the reminders
            # (escalation deadlines, agendas) that this tick runs after it.
            log.exception("%s failed for %s; it is tried again at the next tick", name, key)
            continue
        log.info("ran %s for %s (due %s): %s", name, key, due_at, result)
        done.append((name, key))
    return done


def _subjects(deps: Deps, *, since: datetime, now: datetime) -> list[tuple[str, str]]:
    """Subjects' own schedules: one query finds what is due, one statement claims every due period."""
    done: list[tuple[str, str]] = []
    while True:
        with deps.session_factory.begin() as session:
            due = schedules.due(session, now=now, limit=SUBJECT_BATCH)
            if not due:
                return done
            done += _run_batch(deps, session, due, since=since, now=now)
        if len(due) < SUBJECT_BATCH:
            return done


def _run_batch(
    deps: Deps, session: Session, due: Sequence[Schedule], *, since: datetime, now: datetime
) -> list[tuple[str, str]]:
    planned: list[tuple[Schedule, ScheduledJob | None, str, datetime]] = []
    advanced: list[tuple[Schedule, datetime | None]] = []
    for row in due:
        try:
            rule = rule_from(row.rule)
        except (KeyError, ValueError) as exc:
            log.error("schedule #%s (%s) has an unreadable rule and is switched off: %s", row.id, row.job, exc)
            row.active = False
            continue
        job = deps.plugins.jobs.get(row.job)
        occurrences = list(rule.periods(min(since, row.next_due_at or since) - timedelta(seconds=1), now))
        too_old = [key for key, at in occurrences if at <= since]
        if too_old:
            log.warning("schedule #%s (%s) missed %s while Porchlight was down: %s", row.id, row.job, len(too_old),
                        ", ".join(too_old))  # fmt: skip
        recent = [(key, at) for key, at in occurrences if at > since]
        planned += [(row, job, key, at) for key, at in _latest(f"schedule #{row.id} ({row.job})", recent)]
        advanced.append((row, next_due(rule, now)))
    keys = [(row.job, _period_key(row, key), at) for row, _, key, at in planned]
    won = periods.claim_many(session, keys, now=now)
    done, failed = [], set()
    for row, job, key, _ in planned:
        period = _period_key(row, key)
        if (row.job, period) not in won:
            continue  # another instance (or an earlier tick) has it
        if job is None:
            log.error("schedule #%s names job %r, which no feature registers; period %s not run", row.id, row.job,
                      period)  # fmt: skip
            continue
        try:
            with session.begin_nested():
                result = job.run(Context(deps.settings, session, now), row, key)
        except Exception:
            log.exception("schedule #%s (%s) failed for %s; it is tried again at the next tick", row.id, row.job,
                          period)  # fmt: skip
            periods.unclaim(session, job=row.job, period_key=period)
            failed.add(row.id)
            continue
        log.info("ran %s for %s: %s", row.job, period, result)
        done.append((row.job, period))
    # A row whose work failed stays due: the next tick runs its period again.
    schedules.advance(session, [(row, next_at) for row, next_at in advanced if row.id not in failed])
    return done


def _latest(what: str, due: list[tuple[str, datetime]]) -> list[tuple[str, datetime]]:
    """Of the periods that fell due within the catch-up window, the latest only: a bot that was down for two of a
    job's days (or a subject's weeks) does that work once, for now, not once per period it slept through."""
    if len(due) > 1:
        log.warning("%s: running %s only, the latest of %s periods due while Porchlight was down (%s skipped)",
                    what, due[-1][0], len(due), ", ".join(key for key, _ in due[:-1]))  # fmt: skip
    return due[-1:]


def _period_key(row: Schedule, key: str) -> str:
    return f"{row.subject_type}:{row.subject_id}:{key}"
