"""Working time: deadlines count the hours of business days; reminders wait for the reminded person's working day."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.domain.working_time import WorkingHours, parse_hours

CHICAGO = ZoneInfo("America/Chicago")
LONDON = ZoneInfo("Europe/London")
US_HOURS = WorkingHours(country="US")


def at(text: str, zone: ZoneInfo = CHICAGO) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def shown(instant: datetime, zone: ZoneInfo = CHICAGO) -> str:
    return instant.astimezone(zone).strftime("%a %Y-%m-%d %H:%M")


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        ("2026-11-23 10:00", 24, "Tue 2026-11-24 10:00"),  # a plain Monday
        ("2026-11-20 10:00", 24, "Mon 2026-11-23 10:00"),  # Friday: the weekend stands still
        ("2026-11-20 10:00", 48, "Tue 2026-11-24 10:00"),
        ("2026-11-25 10:00", 24, "Fri 2026-11-27 10:00"),  # the day before Thanksgiving
        ("2026-11-25 10:00", 48, "Mon 2026-11-30 10:00"),  # past Thanksgiving and the weekend
        ("2026-11-28 15:00", 24, "Tue 2026-12-01 00:00"),  # made on Saturday: the count starts on Monday
    ],
)
def test_deadlines_count_only_the_hours_of_business_days(start: str, hours: int, expected: str) -> None:
    assert shown(US_HOURS.add_business_hours(at(start), hours, CHICAGO)) == expected


def test_business_hours_count_real_hours_across_a_dst_change() -> None:
    # 2026-11-01 (a Sunday, standing still) was 25 hours long in Chicago; Friday 10:00 + 24 h is Monday 10:00.
    assert shown(US_HOURS.add_business_hours(at("2026-10-30 10:00"), 24, CHICAGO)) == "Mon 2026-11-02 10:00"


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        ("2026-11-24 11:00", "Tue 2026-11-24 11:00"),  # working time: now
        ("2026-11-24 07:30", "Tue 2026-11-24 09:00"),  # early: the start of the day
        ("2026-11-24 17:00", "Wed 2026-11-25 09:00"),  # the day has ended
        ("2026-11-28 23:00", "Mon 2026-11-30 09:00"),  # Saturday night: Monday morning
        ("2026-11-25 18:00", "Fri 2026-11-27 09:00"),  # the evening before Thanksgiving
    ],
)
def test_a_reminder_waits_for_the_next_working_moment(instant: str, expected: str) -> None:
    assert shown(US_HOURS.next_working_moment(at(instant), CHICAGO)) == expected


def test_each_person_is_reminded_in_their_own_zone() -> None:
    monday_3pm_chicago = at("2026-11-30 15:00")  # 21:00 in London: its working day is over
    assert US_HOURS.is_working(monday_3pm_chicago, CHICAGO)
    assert not US_HOURS.is_working(monday_3pm_chicago, LONDON)
    assert shown(US_HOURS.next_working_moment(monday_3pm_chicago, LONDON), LONDON) == "Tue 2026-12-01 09:00"


def test_working_hours_are_a_setting_read_strictly() -> None:
    assert parse_hours("08:30-16:30") == (time(8, 30), time(16, 30))
    for bad in ("9-5", "17:00-09:00", "nine to five", ""):
        with pytest.raises(ValueError):
            parse_hours(bad)
