"""Schedules in local time: when each period of a job falls due, in a zone, across DST, around holidays.

Three shapes, each a frozen value that knows its periods: every business day at a time (`DailyAt`), a weekday
every N weeks from an anchor date (`WeeklyOn`), a day of the month (`MonthlyOn`). A period key names the period
(a local date, an ISO week, a month), never the instant, so a run moved by a holiday is still the same period
and claiming that key once makes it run once. Local times go through zoneinfo: a time that DST skips runs at the
same offset past the gap, a time that DST repeats runs at its first occurrence, once either way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import holidays

SEARCH_DAYS = (45, 800)  # how far ahead `next_due` looks: a month first, then two years (every N weeks, holidays)


class HolidayRule(StrEnum):
    """What happens to an occurrence that falls on a public holiday (or, for a monthly day, a weekend)."""

    SKIP = "skip"
    NEXT_BUSINESS_DAY = "next_business_day"
    BUSINESS_DAY_BEFORE = "business_day_before"


@lru_cache(maxsize=256)
def _holidays(country: str, year: int) -> holidays.HolidayBase:
    name, _, subdivision = country.partition("-")
    return holidays.country_holidays(name, subdiv=subdivision or None, years=year)


def is_holiday(day: date, country: str | None) -> bool:
    return bool(country) and day in _holidays(country or "", day.year)


def is_business_day(day: date, country: str | None) -> bool:
    """Monday to Friday, and not a public holiday of `country` ("US", "US-IL"; None: no holidays)."""
    return day.weekday() < 5 and not is_holiday(day, country)


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of `day` at `at` in `zone` (fold 0: see the module's note on DST)."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


class Rule(Protocol):
    @property
    def zone(self) -> ZoneInfo: ...

    def periods(self, start: datetime, end: datetime) -> Iterator[tuple[str, datetime]]:
        """(period key, due instant) of every occurrence due in (start, end], in order."""
        ...

    def as_dict(self) -> dict[str, Any]: ...


def next_due(rule: Rule, after: datetime) -> datetime | None:
    """The first occurrence due strictly after `after`, or None if there is none within two years."""
    for days in SEARCH_DAYS:
        for _, due in rule.periods(after, after + timedelta(days=days)):
            return due
    return None


def _moved(day: date, country: str | None, rule: HolidayRule, *, weekends: bool) -> date | None:
    """Where an occurrence nominally on `day` happens under `rule`, or None if it is skipped."""

    def off(d: date) -> bool:
        return is_holiday(d, country) or (weekends and d.weekday() >= 5)

    if not off(day):
        return day
    if rule == HolidayRule.SKIP:
        return None
    step = timedelta(days=1 if rule == HolidayRule.NEXT_BUSINESS_DAY else -1)
    while not is_business_day(day, country):
        day += step
    return day


def _local_days(start: datetime, end: datetime, zone: ZoneInfo, margin: int) -> Iterator[date]:
    day = start.astimezone(zone).date() - timedelta(days=margin)
    last = end.astimezone(zone).date() + timedelta(days=margin)
    while day <= last:
        yield day
        day += timedelta(days=1)


@dataclass(frozen=True)
class DailyAt:
    """Every business day at a local time of day. The period key is the local date, so a day runs once."""

    at: time
    zone: ZoneInfo
    country: str | None = None  # public holidays of this country (and "US-IL" style subdivision) are skipped

    def is_business_day(self, day: date) -> bool:
        return is_business_day(day, self.country)

    def due_at(self, day: date) -> datetime:
        return local_instant(day, self.at, self.zone)

    def periods(self, start: datetime, end: datetime) -> Iterator[tuple[str, datetime]]:
        for day in _local_days(start, end, self.zone, margin=1):
            due = self.due_at(day)
            if start < due <= end and self.is_business_day(day):
                yield day.isoformat(), due

    def as_dict(self) -> dict[str, Any]:
        return {"shape": "daily", "at": self.at.isoformat("minutes"), "zone": self.zone.key, "country": self.country}


@dataclass(frozen=True)
class WeeklyOn:
    """A weekday at a local time, every `every_weeks` weeks counted from the week of `anchor`.

    The period key is the ISO week of the nominal day; a holiday skips that week's occurrence or moves it to
    the next business day, as `holiday_rule` says (a weekday chosen on a weekend is kept: people chose it).
    """

    weekday: int  # Monday 0 ... Sunday 6
    at: time
    zone: ZoneInfo
    every_weeks: int = 1
    anchor: date = date(2026, 1, 5)  # a Monday; only its week matters
    holiday_rule: HolidayRule = HolidayRule.NEXT_BUSINESS_DAY
    country: str | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6 or not 1 <= self.every_weeks <= 52:
            raise ValueError("weekday must be 0-6 and every_weeks 1-52")
        if self.holiday_rule == HolidayRule.BUSINESS_DAY_BEFORE:
            raise ValueError("a weekly meeting skips a holiday or moves to the next business day")

    def _in_cycle(self, day: date) -> bool:
        anchor_monday = self.anchor - timedelta(days=self.anchor.weekday())
        monday = day - timedelta(days=day.weekday())
        return ((monday - anchor_monday).days // 7) % self.every_weeks == 0

    def periods(self, start: datetime, end: datetime) -> Iterator[tuple[str, datetime]]:
        found = []
        for day in _local_days(start, end, self.zone, margin=10):
            if day.weekday() != self.weekday or not self._in_cycle(day):
                continue
            held = _moved(day, self.country, self.holiday_rule, weekends=False)
            if held is None:
                continue
            due = local_instant(held, self.at, self.zone)
            if start < due <= end:
                year, week, _ = day.isocalendar()
                found.append((f"{year}-W{week:02d}", due))
        yield from sorted(found, key=lambda item: item[1])

    def as_dict(self) -> dict[str, Any]:
        return {
            "shape": "weekly", "weekday": self.weekday, "at": self.at.isoformat("minutes"), "zone": self.zone.key,
            "every_weeks": self.every_weeks, "anchor": self.anchor.isoformat(), "holiday_rule": str(self.holiday_rule),
            "country": self.country,
        }  # fmt: skip


@dataclass(frozen=True)
class MonthlyOn:
    """A day of the month at a local time (the last day for a short month). Falling on a weekend or a holiday,
    it moves to the business day before (the default), to the next, or is skipped. The key is the month."""

    day: int
    at: time
    zone: ZoneInfo
    holiday_rule: HolidayRule = HolidayRule.BUSINESS_DAY_BEFORE
    country: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.day <= 31:
            raise ValueError("day must be 1-31")

    def _nominal(self, year: int, month: int) -> date:
        following = date(year + month // 12, month % 12 + 1, 1)
        return min(date(year, month, 1) + timedelta(days=self.day - 1), following - timedelta(days=1))

    def periods(self, start: datetime, end: datetime) -> Iterator[tuple[str, datetime]]:
        first = start.astimezone(self.zone).date() - timedelta(days=40)
        last = end.astimezone(self.zone).date() + timedelta(days=40)
        year, month = first.year, first.month
        while date(year, month, 1) <= last:
            held = _moved(self._nominal(year, month), self.country, self.holiday_rule, weekends=True)
            if held is not None:
                due = local_instant(held, self.at, self.zone)
                if start < due <= end:
                    yield f"{year}-{month:02d}", due
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)

    def as_dict(self) -> dict[str, Any]:
        return {
            "shape": "monthly", "day": self.day, "at": self.at.isoformat("minutes"), "zone": self.zone.key,
            "holiday_rule": str(self.holiday_rule), "country": self.country,
        }  # fmt: skip


def rule_from(values: dict[str, Any]) -> Rule:
    """The rule a `schedule` row stores (`as_dict`'s output); ValueError for anything else."""
    shape = values.get("shape")
    at, zone, country = time.fromisoformat(values["at"]), ZoneInfo(values["zone"]), values.get("country")
    if shape == "daily":
        return DailyAt(at=at, zone=zone, country=country)
    if shape == "weekly":
        return WeeklyOn(
            weekday=int(values["weekday"]), at=at, zone=zone, every_weeks=int(values.get("every_weeks", 1)),
            anchor=date.fromisoformat(values["anchor"]), holiday_rule=HolidayRule(values["holiday_rule"]),
            country=country,
        )  # fmt: skip
    if shape == "monthly":
        return MonthlyOn(day=int(values["day"]), at=at, zone=zone, holiday_rule=HolidayRule(values["holiday_rule"]),
                         country=country)  # fmt: skip
    raise ValueError(f"unknown schedule shape {shape!r}")
