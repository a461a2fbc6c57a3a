"""Moving the sandbox's clock: forward by an hour or a day, by business hours, to the 20th, or to the next time a
scheduled job falls due. Each move runs the scheduled tick at every hour it passes (and at the end), so what would
have happened on the way (agendas, nudges, staleness asks, deadline reminders) happens now, in order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Protocol

from sqlalchemy import func, select

from bot.deps import Deps
from bot.domain.schedule import next_due
from jobs import ticks
from storage.models import Schedule

STEP = timedelta(hours=1)  # a tick at least this often on the way, well inside PORCHLIGHT_CATCH_UP_HOURS
PAST_DUE = timedelta(minutes=1)  # land just after a due time, so what is due at it is due
DAY_OF_MONTH = 20


class MovableClock(Protocol):
    def now(self) -> datetime: ...

    def advance(self, delta: timedelta) -> datetime: ...


@dataclass(frozen=True)
class Move:
    id: str
    label: str
    target: Callable[[datetime], datetime | None]  # from now to when; None: nothing to move to


class ClockControls:
    """The moves the page offers, and making one (one at a time)."""

    def __init__(self, deps: Deps, clock: MovableClock) -> None:
        self.deps = deps
        self.clock = clock
        self._moving = threading.Lock()

    def moves(self) -> list[Move]:
        settings = self.deps.settings
        hours = settings.hours

        def business(count: int) -> Callable[[datetime], datetime]:
            return lambda now: hours.add_business_hours(now, count, settings.zone) + PAST_DUE

        fixed = [
            Move("hour", "+1 hour", lambda now: now + timedelta(hours=1)),
            Move("day", "+1 day", lambda now: now + timedelta(days=1)),
            Move("24bh", "+24 business hours", business(24)),
            Move("48bh", "+48 business hours", business(48)),
            Move("20th", f"to the {DAY_OF_MONTH}th, 09:00", self._next_twentieth),
        ]
        jobs = [Move(f"job:{name}", f"to the next {name.replace('_', ' ').replace('.', ' ')}", self._next_run_of(name))
                for name in self._job_names()]  # fmt: skip
        return fixed + jobs

    def _job_names(self) -> list[str]:
        """Scheduled jobs worth jumping to: the community's (but housekeeping) and those with subject schedules."""
        names = [name for name, job in self.deps.plugins.jobs.items() if job.community_rule is not None]
        with self.deps.session_factory() as session:
            names += [n for n in session.scalars(select(Schedule.job).where(Schedule.active).distinct()) if n]
        return [n for n in dict.fromkeys(names) if n != "housekeeping"]

    def _next_run_of(self, name: str) -> Callable[[datetime], datetime | None]:
        def target(now: datetime) -> datetime | None:
            job = self.deps.plugins.jobs.get(name)
            found: list[datetime] = []
            if job is not None and job.community_rule is not None:
                due = next_due(job.community_rule(self.deps.settings), now)
                found += [due] if due else []
            with self.deps.session_factory() as session:
                due = session.scalar(
                    select(func.min(Schedule.next_due_at)).where(Schedule.job == name, Schedule.active)
                )
            if due is not None:
                found.append(max(_aware(due), now))
            return min(found) + PAST_DUE if found else None

        return target

    def _next_twentieth(self, now: datetime) -> datetime:
        zone = self.deps.settings.zone
        local = now.astimezone(zone)
        month, year = local.month, local.year
        at = datetime.combine(local.date().replace(day=DAY_OF_MONTH), time(9, 0), tzinfo=zone)
        if at <= local:
            month, year = (1, year + 1) if month == 12 else (month + 1, year)
            at = datetime.combine(local.date().replace(year=year, month=month, day=DAY_OF_MONTH), time(9, 0),
                                  tzinfo=zone)  # fmt: skip
        return at

    def preview(self) -> list[dict[str, str]]:
        """Each move with where it would land, for the page."""
        now = self.clock.now()
        shown = []
        for move in self.moves():
            when = move.target(now)
            if when is not None and when > now:
                local = when.astimezone(self.deps.settings.zone)
                shown.append({"id": move.id, "label": move.label, "to": local.strftime("%a %d %b %H:%M")})
        return shown

    def move(self, move_id: str) -> datetime | None:
        """Make the move `move_id`; the new time, or None if there is no such move (or nowhere to go)."""
        move = next((m for m in self.moves() if m.id == move_id), None)
        if move is None:
            return None
        with self._moving:
            now = self.clock.now()
            target = move.target(now)
            if target is None or target <= now:
                return None
            while now < target:
                now = self.clock.advance(min(STEP, target - now))
                ticks.run(deps=self.deps, now=now)
            self.deps.wake_outbox()
            return now


def _aware(when: datetime) -> datetime:
    """SQLite hands timestamps back naive; they are stored in UTC."""
    from datetime import UTC

    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
