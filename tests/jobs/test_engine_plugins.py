"""The engine runs what features register, and only that: reminder kinds and subject schedules as rows, each sent or
run once per period whatever the restarts or instances, in the reminded person's working hours."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select

from bot.clock import ManualClock
from bot.delivery import Context, Message, Plugins, ReminderKind, ScheduledJob
from bot.deps import Deps
from bot.domain.schedule import DailyAt, HolidayRule, MonthlyOn, WeeklyOn, next_due
from jobs import outbox as delivery
from jobs import ticks
from storage import outbox as outbox_rows
from storage import reminders, schedules
from storage.models import OutboxMessage, Reminder, Schedule

CHICAGO = ZoneInfo("America/Chicago")
SATURDAY_NIGHT = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)  # 22:00 Saturday 28 November in Chicago
MONDAY_9AM = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)


@dataclass
class Recorder:
    """A feature for the test: records what the engine asks of it."""

    needed: bool = True
    sent: list[int] = field(default_factory=list)
    ran: list[tuple[int | None, str]] = field(default_factory=list)
    fail_once: bool = False

    def still_needed(self, context: Context, reminder: Reminder) -> bool:
        return self.needed

    def send(self, context: Context, reminder: Reminder) -> None:
        self.sent.append(reminder.id)

    def run(self, context: Context, schedule: Schedule | None, period: str) -> object:
        if self.fail_once:
            self.fail_once = False
            raise RuntimeError("the feature broke")
        self.ran.append((schedule.subject_id if schedule else None, period))
        return "ok"


@pytest.fixture
def feature(deps: Deps) -> Recorder:
    recorder = Recorder()
    deps.plugins = Plugins()
    deps.plugins.reminders.register("test.remind", ReminderKind(still_needed=recorder.still_needed, send=recorder.send))
    deps.plugins.jobs.register("test.weekly", ScheduledJob(run=recorder.run))
    return recorder


def add_reminder(deps: Deps, due: datetime, *, zone: str = "America/Chicago", subject_id: int = 1) -> None:
    with deps.session_factory.begin() as session:
        reminders.add(session, kind="test.remind", subject_type="thing", subject_id=subject_id, recipient="U0COORD",
                      zone=zone, due_at=due, now=due - timedelta(days=2))  # fmt: skip


def second_instance(deps: Deps) -> Deps:
    return Deps(settings=deps.settings, session_factory=deps.session_factory, clock=deps.clock, client=deps.client,
                delivery_client=deps.delivery_client, plugins=deps.plugins)  # fmt: skip


def test_a_reminder_due_on_saturday_night_reaches_a_chicago_coordinator_on_monday_morning(
    deps: Deps, clock: ManualClock, feature: Recorder
) -> None:
    add_reminder(deps, SATURDAY_NIGHT)
    clock.set(SATURDAY_NIGHT + timedelta(minutes=1))
    assert ticks.tick(deps=deps).reminded == []
    clock.set(MONDAY_9AM - timedelta(minutes=1))
    assert ticks.tick(deps=deps).reminded == []
    clock.set(MONDAY_9AM)
    assert len(ticks.tick(deps=deps).reminded) == 1
    clock.advance(timedelta(hours=1))
    assert ticks.tick(deps=deps).reminded == []  # sent once, finished
    assert len(feature.sent) == 1


def test_a_reminder_is_sent_once_by_two_instances(deps: Deps, clock: ManualClock, feature: Recorder) -> None:
    for subject in range(1, 6):
        add_reminder(deps, MONDAY_9AM, subject_id=subject)
    clock.set(MONDAY_9AM + timedelta(minutes=5))
    other = second_instance(deps)
    try:
        first, second = ticks.tick(deps=deps).reminded, ticks.tick(deps=other).reminded
    finally:
        other.contact_log.close()
    assert sorted(first + second) == sorted(feature.sent) and len(feature.sent) == 5


def test_a_reminder_its_subject_no_longer_needs_is_finished_not_sent(
    deps: Deps, clock: ManualClock, feature: Recorder
) -> None:
    add_reminder(deps, MONDAY_9AM)
    feature.needed = False
    clock.set(MONDAY_9AM + timedelta(minutes=5))
    assert ticks.tick(deps=deps).reminded == []
    with deps.session_factory() as session:
        assert session.scalars(select(Reminder.done_at)).one() is not None
    assert feature.sent == []


def test_a_finished_or_snoozed_reminder_waits(deps: Deps, clock: ManualClock, feature: Recorder) -> None:
    add_reminder(deps, MONDAY_9AM, subject_id=1)
    add_reminder(deps, MONDAY_9AM, subject_id=2)
    with deps.session_factory.begin() as session:
        assert reminders.finish(session, subject_type="thing", subject_id=1, now=MONDAY_9AM) == 1
        two = session.scalars(select(Reminder).where(Reminder.subject_id == 2)).one()
        reminders.snooze(session, two.id, until=MONDAY_9AM + timedelta(days=1))
    clock.set(MONDAY_9AM + timedelta(hours=1))
    assert ticks.tick(deps=deps).reminded == []
    clock.set(MONDAY_9AM + timedelta(days=1, minutes=1))
    assert ticks.tick(deps=deps).reminded == [two.id]


def test_a_reminder_of_a_kind_nobody_registers_is_closed_and_logged(
    deps: Deps, clock: ManualClock, feature: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    with deps.session_factory.begin() as session:
        reminders.add(session, kind="gone.kind", subject_type="thing", subject_id=9, recipient="U0COORD",
                      zone="America/Chicago", due_at=MONDAY_9AM, now=MONDAY_9AM)  # fmt: skip
    clock.set(MONDAY_9AM + timedelta(minutes=1))
    with caplog.at_level(logging.ERROR, logger="porchlight.reminders"):
        assert ticks.tick(deps=deps).reminded == []
    assert "no feature registers" in caplog.text


# -- subject schedules --------------------------------------------------------------------------------------------


def put_weekly(deps: Deps, subject_id: int, rule: WeeklyOn | MonthlyOn | DailyAt, now: datetime) -> None:
    with deps.session_factory.begin() as session:
        schedules.put(session, job="test.weekly", subject_type="property", subject_id=subject_id,
                      rule=rule.as_dict(), next_due_at=next_due(rule, now), now=now)  # fmt: skip


TUESDAY_10 = WeeklyOn(weekday=1, at=time(10, 0), zone=CHICAGO)


def test_each_subject_runs_once_a_period_in_its_own_zone_and_after_a_restart(
    deps: Deps, clock: ManualClock, feature: Recorder
) -> None:
    london = WeeklyOn(weekday=1, at=time(10, 0), zone=ZoneInfo("Europe/London"))
    start = datetime(2026, 11, 30, 12, tzinfo=UTC)
    put_weekly(deps, 1, TUESDAY_10, start)
    put_weekly(deps, 2, london, start)
    clock.set(datetime(2026, 12, 1, 11, tzinfo=UTC))  # Tuesday: 11:00 in London, 5:00 in Chicago
    assert ticks.run(deps=deps) == [("test.weekly", "property:2:2026-W49")]
    clock.set(datetime(2026, 12, 1, 20, tzinfo=UTC))  # a restart at 14:00 Chicago catches up its 10:00
    assert ticks.run(deps=deps) == [("test.weekly", "property:1:2026-W49")]
    assert ticks.run(deps=deps) == []
    assert feature.ran == [(2, "2026-W49"), (1, "2026-W49")]
    with deps.session_factory() as session:
        assert {s.subject_id: s.next_due_at for s in session.scalars(select(Schedule))} == {
            1: datetime(2026, 12, 8, 16, tzinfo=UTC),
            2: datetime(2026, 12, 8, 10, tzinfo=UTC),
        }


def test_two_instances_run_a_subjects_period_once(deps: Deps, clock: ManualClock, feature: Recorder) -> None:
    put_weekly(deps, 1, TUESDAY_10, datetime(2026, 11, 30, tzinfo=UTC))
    clock.set(datetime(2026, 12, 1, 17, tzinfo=UTC))
    other = second_instance(deps)
    try:
        ran = ticks.run(deps=deps) + ticks.run(deps=other)
    finally:
        other.contact_log.close()
    assert ran == [("test.weekly", "property:1:2026-W49")] and len(feature.ran) == 1


def test_a_period_whose_work_failed_is_run_again_at_the_next_tick(
    deps: Deps, clock: ManualClock, feature: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    put_weekly(deps, 1, TUESDAY_10, datetime(2026, 11, 30, tzinfo=UTC))
    feature.fail_once = True
    clock.set(datetime(2026, 12, 1, 17, tzinfo=UTC))
    with caplog.at_level(logging.ERROR, logger="porchlight.ticks"):
        assert ticks.run(deps=deps) == []
    assert "failed for" in caplog.text
    assert ticks.run(deps=deps) == [("test.weekly", "property:1:2026-W49")]


def test_a_monthly_schedule_whose_day_is_a_holiday_runs_the_business_day_before(
    deps: Deps, clock: ManualClock, feature: Recorder
) -> None:
    twenty_fifth = MonthlyOn(
        day=25, at=time(9, 0), zone=CHICAGO, country="US", holiday_rule=HolidayRule.BUSINESS_DAY_BEFORE
    )
    put_weekly(deps, 7, twenty_fifth, datetime(2026, 12, 2, tzinfo=UTC))
    clock.set(datetime(2026, 12, 24, 15, 30, tzinfo=UTC))  # Thursday 24 December, 9:30: Christmas is Friday
    assert ticks.run(deps=deps) == [("test.weekly", "property:7:2026-12")]
    clock.set(datetime(2026, 12, 25, 16, tzinfo=UTC))
    assert ticks.run(deps=deps) == []


def test_finding_what_is_due_takes_the_same_queries_for_ten_subjects_or_a_thousand(
    deps: Deps, clock: ManualClock, feature: Recorder
) -> None:
    def queries_for_a_quiet_tick(count: int) -> int:
        start = datetime(2026, 11, 30, tzinfo=UTC)
        with deps.session_factory.begin() as session:
            for i in range(count):
                due = next_due(TUESDAY_10, start)
                schedules.put(session, job="test.weekly", subject_type="property", subject_id=10_000 + i,
                              rule=TUESDAY_10.as_dict(), next_due_at=due, now=start)  # fmt: skip
                reminders.add(session, kind="test.remind", subject_type="thing", subject_id=10_000 + i,
                              recipient="U0COORD", zone="America/Chicago", due_at=start + timedelta(days=30),
                              now=start)  # fmt: skip
        clock.set(datetime(2026, 11, 30, 16, tzinfo=UTC))  # Monday: nothing due yet
        seen: list[str] = []
        engine = deps.session_factory.kw["bind"]
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        try:
            ticks.run(deps=deps)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len([q for q in seen if q.lstrip().upper().startswith("SELECT")])

    assert queries_for_a_quiet_tick(10) == queries_for_a_quiet_tick(1000) == 2


def test_a_reminder_whose_send_breaks_is_logged_and_retried_without_holding_up_the_others(
    deps: Deps, clock: ManualClock, feature: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    broken: list[int] = []

    def send(context: Context, reminder: Reminder) -> None:
        if reminder.subject_id == 1 and not broken:
            broken.append(reminder.id)
            raise RuntimeError("the feature broke")
        feature.sent.append(reminder.id)

    deps.plugins.reminders.entries["test.remind"] = ReminderKind(still_needed=feature.still_needed, send=send)
    add_reminder(deps, MONDAY_9AM, subject_id=1)
    add_reminder(deps, MONDAY_9AM, subject_id=2)
    clock.set(MONDAY_9AM + timedelta(minutes=1))
    with caplog.at_level(logging.ERROR, logger="porchlight.reminders"):
        assert len(ticks.tick(deps=deps).reminded) == 1
    assert "could not be sent" in caplog.text
    assert ticks.tick(deps=deps).reminded == broken  # the next tick sends it, once
    assert len(feature.sent) == 2


def test_a_community_job_that_breaks_is_retried_without_holding_up_the_schedules_and_reminders(
    deps: Deps, clock: ManualClock, feature: Recorder, caplog: pytest.LogCaptureFixture
) -> None:
    broken: list[str] = []

    def run(context: Context, schedule: Schedule | None, period: str) -> object:
        if not broken:
            broken.append(period)
            raise RuntimeError("the feature broke")
        feature.ran.append((None, period))
        return "ok"

    daily = DailyAt(at=time(8, 0), zone=CHICAGO)
    deps.plugins.jobs.register("test.daily", ScheduledJob(run=run, community_rule=lambda settings: daily))
    put_weekly(deps, 1, WeeklyOn(weekday=0, at=time(8, 30), zone=CHICAGO), datetime(2026, 11, 23, tzinfo=UTC))
    add_reminder(deps, MONDAY_9AM)
    clock.set(MONDAY_9AM + timedelta(minutes=1))
    with caplog.at_level(logging.ERROR, logger="porchlight.ticks"):
        report = ticks.tick(deps=deps)
    assert "test.daily failed for 2026-11-30" in caplog.text
    assert report.ran == [("test.weekly", "property:1:2026-W49")]  # the subject's meeting ran all the same
    assert len(report.reminded) == 1  # and the deadline's reminder went out
    assert ticks.tick(deps=deps).ran == [("test.daily", "2026-11-30")]  # the broken day is run at the next tick
    assert ticks.tick(deps=deps).ran == []


def test_a_renderer_that_breaks_fails_its_row_and_tells_the_coordinators(
    deps: Deps, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(context: Context, row: OutboxMessage) -> Message:
        raise KeyError("a bug")

    deps.plugins = Plugins()
    deps.plugins.renderers.register("test.broken", broken)
    with deps.session_factory.begin() as session:
        row_id = outbox_rows.enqueue(session, kind="test.broken", channel="C0VACANCIES", now=clock.now()).id
    with caplog.at_level(logging.ERROR, logger="porchlight.outbox"):
        report = delivery.run(deps=deps)
    assert report.failed == [row_id] and "its renderer failed" in caplog.text
    with deps.session_factory() as session:
        row = session.get(OutboxMessage, row_id)
        assert row is not None and (row.status, row.last_error) == ("failed", "render_failed: KeyError")
        notice = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "notice.delivery_failed")).one()
        assert notice.channel == "U0COORD"


def test_a_subject_whose_bot_was_down_over_two_of_its_periods_runs_the_latest_once(
    deps: Deps, clock: ManualClock, feature: Recorder
) -> None:
    every_day = DailyAt(at=time(9, 0), zone=CHICAGO, country="US")
    put_weekly(deps, 1, every_day, datetime(2026, 11, 30, 12, tzinfo=UTC))  # next due Monday 30th, 9:00
    clock.set(datetime(2026, 12, 1, 22, tzinfo=UTC))  # Tuesday 16:00: Monday's and Tuesday's 9:00 both passed
    assert ticks.run(deps=deps) == [("test.weekly", "property:1:2026-12-01")]
    assert ticks.run(deps=deps) == []
    assert feature.ran == [(1, "2026-12-01")]
