"""The partner network: the monthly nudge (a community job that starts one reminder per owner, the reminder kind
that sends it, its DM), the month-start coverage report, and an update's posts and its kept progress message."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.delivery import Context, Delivery, Gone, Message, Plugins, ReminderKind, ScheduledJob
from bot.domain import partners
from bot.domain.schedule import HolidayRule, MonthlyOn, Rule
from bot.settings import Settings
from bot.slack.blocks import partners as texts
from storage import outbox, posted
from storage import partners as rows
from storage.models import OutboxMessage, Partner, PartnerBroadcast, Reminder, Schedule

NUDGE_JOB = "partners.nudge"
COVERAGE_JOB = "partners.coverage"


def register(plugins: Plugins) -> None:
    plugins.jobs.register(NUDGE_JOB, ScheduledJob(run=start_nudges, community_rule=nudge_day))
    plugins.jobs.register(COVERAGE_JOB, ScheduledJob(run=report_coverage, community_rule=first_business_day))
    plugins.reminders.register(partners.NUDGE, ReminderKind(still_needed=nudge_needed, send=send_nudge))
    plugins.renderers.register(partners.NUDGE_DM, nudge_dm)
    plugins.renderers.register(partners.COVERAGE_DM, coverage_dm)
    plugins.renderers.register(partners.BROADCAST_POST, broadcast_post)
    plugins.renderers.register(partners.BROADCAST_PROGRESS, broadcast_progress)


def nudge_day(settings: Settings) -> Rule:
    """PORCHLIGHT_PARTNER_NUDGE_DAY (the business day before on a weekend or holiday), just after midnight."""
    return partners.nudge_rule(day=settings.partner_nudge_day, zone=settings.zone, country=settings.holidays)


def first_business_day(settings: Settings) -> Rule:
    """The first business day of the month in the community's zone, at the working day's start (the coverage DM
    and the monthly report, jobs/features/report.py)."""
    return MonthlyOn(day=1, at=settings.hours.start, zone=settings.zone, holiday_rule=HolidayRule.NEXT_BUSINESS_DAY,
                     country=settings.holidays)  # fmt: skip


def _plan(settings: Settings) -> partners.NudgePlan:
    return partners.NudgePlan(coordinators=tuple(settings.coordinators), zone=settings.zone, hours=settings.hours)


def start_nudges(context: Context, schedule: Schedule | None, period: str) -> object:
    """The period key is the month; the nudge falls on the (possibly moved) day this period was due."""
    on = context.now.astimezone(context.settings.zone).date()
    due = [at for key, at in nudge_day(context.settings).periods(context.now - timedelta(days=3), context.now)
           if key == period]  # fmt: skip
    if due:
        on = due[-1].astimezone(context.settings.zone).date()
    owners = partners.start_nudges(context.session, month=period, on=on, plan=_plan(context.settings),
                                   now=context.now)  # fmt: skip
    return {"owners": len(owners)}


def _month(reminder: Reminder) -> str:
    return partners.month_from_number(reminder.subject_id)


def _due_partners(context: Context, reminder: Reminder) -> list[Partner]:
    return partners.due_partners(context.session, recipient=reminder.recipient, month=_month(reminder),
                                 coordinators=tuple(context.settings.coordinators), now=context.now)  # fmt: skip


def nudge_needed(context: Context, reminder: Reminder) -> bool:
    """Only within its month, and only while some partner of the owner is still silent and not dealt with."""
    if partners.month_of(context.now.astimezone(context.settings.zone).date()) != _month(reminder):
        return False
    return bool(_due_partners(context, reminder))


def send_nudge(context: Context, reminder: Reminder) -> None:
    listed = _due_partners(context, reminder)
    partners.list_in_nudge(context.session, listed, month=_month(reminder), now=context.now)
    outbox.enqueue(context.session, kind=partners.NUDGE_DM, channel=reminder.recipient, subject_id=reminder.id,
                   now=context.now, detail={"month": _month(reminder), "partners": [p.id for p in listed]})  # fmt: skip


def nudge_dm(context: Context, row: OutboxMessage) -> Delivery:
    ids = [int(p) for p in row.detail.get("partners", [])]
    heard = rows.last_heard_column().label("heard")
    found = {r.id: (r.name, r.heard) for r in context.session.execute(
        select(Partner.id, Partner.name, heard).where(Partner.id.in_(ids)))}  # fmt: skip
    listed = [(pid, *found[pid]) for pid in ids if pid in found]
    if not listed:
        raise Gone("partners_gone")
    zone = context.settings.zone
    text, shown = texts.nudge_dm(listed, month=str(row.detail.get("month")), zone=zone,
                                 today=context.now.astimezone(zone).date())  # fmt: skip
    return Message(channel=row.channel, text=text, blocks=shown)


def report_coverage(context: Context, schedule: Schedule | None, period: str) -> object:
    """Run in the month `period`: the report is about the month before."""
    report = partners.queue_coverage(context.session, month=partners.shift(period, -1), zone=context.settings.zone,
                                     coordinators=tuple(context.settings.coordinators), now=context.now)  # fmt: skip
    return {"month": report.month, "partners": report.overall.total, "contacted": report.overall.contacted}


def coverage_dm(context: Context, row: OutboxMessage) -> Delivery:
    report = partners.coverage_from(row.detail)
    ids = [pid for pid, _ in report.silences]
    names = {
        pid: name for pid, name in context.session.execute(select(Partner.id, Partner.name).where(Partner.id.in_(ids)))
    }
    return Message(channel=row.channel, text=texts.coverage_dm(report, names=names))


def _broadcast(context: Context, row: OutboxMessage) -> PartnerBroadcast:
    broadcast = context.session.get(PartnerBroadcast, row.subject_id) if row.subject_id is not None else None
    if broadcast is None:
        raise Gone("broadcast_gone")
    return broadcast


def broadcast_post(context: Context, row: OutboxMessage) -> Delivery:
    text, shown = texts.broadcast_message(_broadcast(context, row).text)
    return Message(channel=row.channel, text=text, blocks=shown)


def broadcast_progress(context: Context, row: OutboxMessage) -> Delivery:
    """Rendered when it is delivered, from the outbox rows' status and last error: the truth at that moment."""
    broadcast = _broadcast(context, row)
    text, shown = texts.progress_message(partners.progress(context.session, broadcast.id),
                                         channels=len(broadcast.channels))  # fmt: skip
    kept = posted.Kept(partners.BROADCAST_SUBJECT, broadcast.id, partners.PROGRESS_ROLE)
    return Message(channel=row.channel, text=text, blocks=shown, keep=kept)
