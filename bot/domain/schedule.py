"""Schedules in local time: when each period of a job falls due, in a zone, across DST, skipping holidays."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays


@dataclass(frozen=True)
class DailyAt:
    """Every business day at a local time of day. The period key is the local date, so a day runs once."""

    at: time
    zone: ZoneInfo
    country: str | None = None  # public holidays of this country (and "US-IL" style subdivision) are skipped

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self._holidays(day.year)

    def _holidays(self, year: int) -> holidays.HolidayBase | dict[date, str]:
        if not self.country:
            return {}
        country, _, subdivision = self.country.partition("-")
        return holidays.country_holidays(country, subdiv=subdivision or None, years=year)

    def due_at(self, day: date) -> datetime:
        """The UTC instant of `day` at `at` local time. A time DST skips runs at the same offset past the gap;
        a time DST repeats runs at its first occurrence: once either way."""
        return datetime.combine(day, self.at, tzinfo=self.zone).astimezone(UTC)

    def periods(self, start: datetime, end: datetime) -> Iterator[tuple[str, datetime]]:
        """(period key, due instant) of every occurrence in (start, end]."""
        day = start.astimezone(self.zone).date() - timedelta(days=1)
        last = end.astimezone(self.zone).date()
        while day <= last:
            due = self.due_at(day)
            if start < due <= end and self.is_business_day(day):
                yield day.isoformat(), due
            day += timedelta(days=1)
