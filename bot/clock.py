"""An injectable clock, so that tests and the sandbox can move time."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return utcnow()


class ManualClock:
    """A clock that only moves when told to (tests, the sandbox)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start time")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._now += delta
            return self._now

    def set(self, when: datetime) -> None:
        with self._lock:
            self._now = when.astimezone(UTC)


class MovableClock:
    """Real time, plus however far it has been moved forward (the local workspace's clock).

    It keeps running as time passes, so scheduled work falls due as it would; moving it forward makes what would
    happen in an hour, a day or a week happen now. It never goes back: rows already stamped stay in the past.
    """

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self._offset = offset
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return utcnow() + self._offset

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += delta
            return utcnow() + self._offset

    def set(self, when: datetime) -> None:
        """Move to `when`; a time already past leaves the clock where it is."""
        if when.tzinfo is None:
            raise ValueError("MovableClock needs a timezone-aware time")
        with self._lock:
            self._offset = max(self._offset, when - utcnow())
