"""Working time: deadlines count business days only, and nobody is reminded outside their working hours.

"Answer within 24-48 hours" (the domain documents' rule) is read the way the people who follow it read it: hours
of business days, so a referral made on Friday at 10:00 is 24 hours old on Monday at 10:00, not on Saturday. A
reminder that falls due at night, on a weekend or on a public holiday waits for the start of the reminded
person's next working day, in their own time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.schedule import is_business_day, local_instant


@dataclass(frozen=True)
class WorkingHours:
    start: time = time(9, 0)
    end: time = time(17, 0)
    country: str | None = None  # public holidays ("US", "US-IL"); None: weekends only

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise ValueError("working hours must start before they end")

    def is_working(self, instant: datetime, zone: ZoneInfo) -> bool:
        local = instant.astimezone(zone)
        return is_business_day(local.date(), self.country) and self.start <= local.time() < self.end

    def next_working_moment(self, instant: datetime, zone: ZoneInfo) -> datetime:
        """`instant` itself when it is within working hours; else the start of the next working period."""
        if self.is_working(instant, zone):
            return instant
        local = instant.astimezone(zone)
        day = local.date()
        if local.time() < self.start and is_business_day(day, self.country):
            return local_instant(day, self.start, zone)
        day += timedelta(days=1)
        while not is_business_day(day, self.country):
            day += timedelta(days=1)
        return local_instant(day, self.start, zone)

    def add_business_hours(self, start: datetime, hours: float, zone: ZoneInfo) -> datetime:
        """`hours` later, counting only the hours of business days in `zone` (weekends and holidays stand still).

        Time spent on a day off does not count: from Friday 10:00, 24 hours is Monday 10:00; from Saturday, the
        count starts at Monday 00:00.
        """
        remaining = timedelta(hours=hours)
        cursor = start.astimezone(UTC)  # elapsed time is counted in absolute hours; days are the zone's
        while True:
            day = cursor.astimezone(zone).date()
            midnight = local_instant(day + timedelta(days=1), time(0), zone)
            if is_business_day(day, self.country):
                if remaining <= midnight - cursor:
                    return cursor + remaining
                remaining -= midnight - cursor
            cursor = midnight


def parse_hours(text: str) -> tuple[time, time]:
    """ "09:00-17:00" -> (9:00, 17:00); ValueError for anything else."""
    first, sep, second = text.partition("-")
    try:
        if not sep:
            raise ValueError
        start, end = time.fromisoformat(first.strip()), time.fromisoformat(second.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not HH:MM-HH:MM") from None
    if start >= end:
        raise ValueError("working hours must start before they end")
    return start, end
