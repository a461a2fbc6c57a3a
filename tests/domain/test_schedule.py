"""Schedules in local time: DST neither skips nor doubles a run; holidays skip or move a run as its rule says."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.schedule import DailyAt, HolidayRule, MonthlyOn, WeeklyOn, next_due, rule_from

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


# -- weekly, every N weeks, monthly, holiday rules ---------------------------------------------------------------


def local(due: datetime) -> str:
    return due.astimezone(CHICAGO).strftime("%a %Y-%m-%d %H:%M %Z")


def test_a_weekly_meeting_keeps_its_local_time_across_both_dst_changes() -> None:
    tuesday_10 = WeeklyOn(weekday=1, at=time(10, 0), zone=CHICAGO)
    spring = [
        local(d) for _, d in tuesday_10.periods(datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 3, 20, tzinfo=UTC))
    ]
    autumn = [
        local(d) for _, d in tuesday_10.periods(datetime(2026, 10, 20, tzinfo=UTC), datetime(2026, 11, 8, tzinfo=UTC))
    ]
    assert spring == [
        "Tue 2027-03-02 10:00 CST",
        "Tue 2027-03-09 10:00 CST",
        "Tue 2027-03-16 10:00 CDT",
    ]  # DST began 14 March
    assert autumn == ["Tue 2026-10-20 10:00 CDT", "Tue 2026-10-27 10:00 CDT", "Tue 2026-11-03 10:00 CST"]


def test_a_weekly_meeting_on_a_dst_night_runs_once_each_week() -> None:
    sunday_130 = WeeklyOn(weekday=6, at=time(1, 30), zone=CHICAGO)  # 1:30 happened twice on 2026-11-01
    found = list(sunday_130.periods(datetime(2026, 10, 24, tzinfo=UTC), datetime(2026, 11, 10, tzinfo=UTC)))
    assert [key for key, _ in found] == ["2026-W43", "2026-W44", "2026-W45"]
    assert [local(d) for _, d in found][1] == "Sun 2026-11-01 01:30 CDT"  # the first of the two 1:30s, once
    sunday_230 = WeeklyOn(weekday=6, at=time(2, 30), zone=CHICAGO)  # 2:30 did not exist on 2027-03-14
    found = list(sunday_230.periods(datetime(2027, 3, 6, tzinfo=UTC), datetime(2027, 3, 22, tzinfo=UTC)))
    assert [(key, local(d)) for key, d in found] == [
        ("2027-W09", "Sun 2027-03-07 02:30 CST"),
        ("2027-W10", "Sun 2027-03-14 03:30 CDT"),  # the same instant as 2:30 CST would have been
        ("2027-W11", "Sun 2027-03-21 02:30 CDT"),
    ]


def test_every_two_weeks_counts_from_the_anchor_week() -> None:
    consultation = WeeklyOn(weekday=2, at=time(14, 0), zone=CHICAGO, every_weeks=2, anchor=date(2026, 12, 2))
    found = [
        local(d) for _, d in consultation.periods(datetime(2026, 11, 20, tzinfo=UTC), datetime(2027, 1, 10, tzinfo=UTC))
    ]
    assert found == ["Wed 2026-12-02 14:00 CST", "Wed 2026-12-16 14:00 CST", "Wed 2026-12-30 14:00 CST"]


def test_a_weekly_meeting_on_a_holiday_moves_to_the_next_business_day_or_is_skipped() -> None:
    window = (datetime(2026, 11, 20, tzinfo=UTC), datetime(2026, 12, 5, tzinfo=UTC))
    moved = WeeklyOn(weekday=3, at=time(9, 0), zone=CHICAGO, country="US")  # Thursdays; 26 Nov is Thanksgiving
    assert [(k, local(d)) for k, d in moved.periods(*window)] == [
        ("2026-W48", "Fri 2026-11-27 09:00 CST"),  # still that week's meeting, a day late
        ("2026-W49", "Thu 2026-12-03 09:00 CST"),
    ]
    skipped = WeeklyOn(weekday=3, at=time(9, 0), zone=CHICAGO, country="US", holiday_rule=HolidayRule.SKIP)
    assert [k for k, _ in skipped.periods(*window)] == ["2026-W49"]


def test_the_monthly_day_moves_to_the_business_day_before_a_weekend_or_holiday() -> None:
    twentieth = MonthlyOn(day=20, at=time(9, 0), zone=CHICAGO, country="US")
    year = [
        (k, local(d)) for k, d in twentieth.periods(datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC))
    ]
    assert year == [
        ("2026-06", "Thu 2026-06-18 09:00 CDT"),  # the 20th is a Saturday, the 19th Juneteenth
        ("2026-07", "Mon 2026-07-20 09:00 CDT"),
        ("2026-08", "Thu 2026-08-20 09:00 CDT"),
        ("2026-09", "Fri 2026-09-18 09:00 CDT"),  # the 20th is a Sunday
    ]
    christmas = MonthlyOn(day=25, at=time(9, 0), zone=CHICAGO, country="US")
    assert [
        local(d) for _, d in christmas.periods(datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    ] == ["Thu 2026-12-24 09:00 CST"]
    late = MonthlyOn(day=31, at=time(9, 0), zone=CHICAGO, holiday_rule=HolidayRule.NEXT_BUSINESS_DAY)
    assert [k for k, _ in late.periods(datetime(2027, 2, 2, tzinfo=UTC), datetime(2027, 3, 5, tzinfo=UTC))] == [
        "2027-02"  # 28 Feb 2027 is a Sunday: Monday 1 March, still February's
    ]


def test_a_stored_rule_reads_back_as_itself_and_knows_its_next_occurrence() -> None:
    rules = [
        DailyAt(at=time(9, 0), zone=CHICAGO, country="US"),
        WeeklyOn(weekday=4, at=time(15, 30), zone=ZoneInfo("Europe/London"), every_weeks=2, anchor=date(2026, 11, 30)),
        MonthlyOn(day=20, at=time(8, 0), zone=CHICAGO, holiday_rule=HolidayRule.SKIP, country="US-IL"),
    ]
    for rule in rules:
        assert rule_from(rule.as_dict()) == rule
    # Skipping: 20 December 2026 is a Sunday, so the next is January's.
    assert local(next_due(rules[2], datetime(2026, 12, 2, tzinfo=UTC))) == "Wed 2027-01-20 08:00 CST"
    assert local(next_due(rules[0], datetime(2026, 11, 25, 16, tzinfo=UTC))) == "Fri 2026-11-27 09:00 CST"
