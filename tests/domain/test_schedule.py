"""Daily schedules in local time: DST neither skips nor doubles a run; weekends and public holidays are skipped."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.schedule import DailyAt

CHICAGO = ZoneInfo("America/Chicago")
DAILY = DailyAt(at=time(9, 0), zone=CHICAGO, country="US")


def keys(start: datetime, days: int) -> list[tuple[str, str]]:
    found = DAILY.periods(start, start + timedelta(days=days))
    return [(key, due.astimezone(CHICAGO).strftime("%H:%M %Z")) for key, due in found]


def test_nine_oclock_local_on_both_sides_of_the_autumn_change() -> None:
    # DST ended on Sunday 2026-11-01 in Chicago: 9:00 was 14:00 UTC before, 15:00 UTC after.
    found = keys(datetime(2026, 10, 29, 12, tzinfo=UTC), 7)
    assert found == [("2026-10-29", "09:00 CDT"), ("2026-10-30", "09:00 CDT"), ("2026-11-02", "09:00 CST"),
                     ("2026-11-03", "09:00 CST"), ("2026-11-04", "09:00 CST")]  # fmt: skip


def test_a_time_the_spring_change_skips_runs_once_and_a_repeated_one_once() -> None:
    gap = DailyAt(at=time(2, 30), zone=CHICAGO)  # 2:30 did not exist on 2027-03-14
    found = list(gap.periods(datetime(2027, 3, 13, tzinfo=UTC), datetime(2027, 3, 17, tzinfo=UTC)))
    assert [k for k, _ in found] == ["2027-03-15", "2027-03-16"]  # business days only; each once
    everyday = DailyAt(at=time(1, 30), zone=CHICAGO)  # 1:30 happened twice on 2026-11-01 (a Sunday)
    nov1 = [due for key, due in everyday.periods(datetime(2026, 10, 30, tzinfo=UTC), datetime(2026, 11, 3, tzinfo=UTC))]
    assert len(nov1) == 2  # Friday and Monday: the weekend is skipped, and nothing runs twice


def test_weekends_and_thanksgiving_are_skipped() -> None:
    found = [k for k, _ in keys(datetime(2026, 11, 23, 12, tzinfo=UTC), 7)]
    assert found == ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-27"]  # 26th is Thanksgiving


def test_without_a_holiday_calendar_only_weekends_are_skipped() -> None:
    plain = DailyAt(at=time(9, 0), zone=CHICAGO)
    assert plain.is_business_day(datetime(2026, 11, 26).date())
