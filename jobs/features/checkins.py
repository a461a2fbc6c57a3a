"""Check-ins on the engine: the agenda job (once per meeting per period), the agenda kept in place and its notes
thread, the day-before reminder and the summary (reminder rows on the agenda), and the hub's *Add to check-in*.

Why reminder rows and not a second schedule: the day before a meeting and "an hour after it" belong to one
occurrence, which a holiday may move or skip. A reminder row hangs on that occurrence's agenda (planned ahead,
posted at its time), so it moves and disappears with it, is sent once by compare-and-set, and waits for working
hours like every reminder; a second weekly rule would have to repeat the holiday logic a day earlier.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.delivery import Context, Delivery, Gone, HubButton, Message, Plugins, Private, ReminderKind, ScheduledJob
from bot.domain import checkins
from bot.slack import ids
from bot.slack.blocks import checkins as views
from storage import outbox, posted
from storage.models import Agenda, AgendaEntry, CheckinItem, Meeting, OutboxMessage, Reminder, Schedule


def register(plugins: Plugins) -> None:
    plugins.jobs.register(checkins.AGENDA_JOB, ScheduledJob(run=hold_meeting))
    plugins.renderers.register(checkins.AGENDA_POST, agenda)
    plugins.renderers.register(checkins.NOTES_POST, notes)
    plugins.renderers.register(checkins.DAY_BEFORE_POST, day_before)
    plugins.renderers.register(checkins.ITEM_ADDED, item_added)
    plugins.renderers.register(checkins.LATE_NOTE_POST, late_note)
    plugins.reminders.register(checkins.REMIND_DAY_BEFORE, ReminderKind(still_needed=still_planned, send=remind))
    plugins.reminders.register(checkins.SUMMARISE, ReminderKind(still_needed=still_posted, send=summarise))
    plugins.hub_buttons.register(ids.ACTION_CHECKIN_HUB_ADD, HubButton(ids.ACTION_CHECKIN_HUB_ADD, "Add to check-in",
                                                                       order=20))  # fmt: skip


def hold_meeting(context: Context, schedule: Schedule | None, period: str) -> object:
    assert schedule is not None  # a subject's schedule: the meeting
    return checkins.hold(context.session, schedule.subject_id, period, now=context.now,
                         country=context.settings.holidays)  # fmt: skip


def kept(agenda_id: int) -> posted.Kept:
    return posted.Kept(checkins.AGENDA_SUBJECT, agenda_id, checkins.AGENDA_ROLE)


def _agenda(context: Context, row: OutboxMessage) -> Agenda:
    found = context.session.get(Agenda, row.subject_id) if row.subject_id is not None else None
    if found is None:
        raise Gone("agenda_gone")
    return found


def agenda(context: Context, row: OutboxMessage) -> Delivery:
    shown = checkins.posted_view(context.session, _agenda(context, row), country=context.settings.holidays)
    text, blocks = views.agenda_message(shown)
    return Message(channel=row.channel, text=text, blocks=blocks, keep=kept(shown.agenda_id or 0))


def notes(context: Context, row: OutboxMessage) -> Delivery:
    found = _agenda(context, row)
    thread = posted.find(context.session, kept(found.id), channel=row.channel)
    if thread is None:
        raise Gone("agenda_not_posted")
    shown = checkins.posted_view(context.session, found, country=context.settings.holidays)
    return Message(channel=row.channel, text=views.notes_message(shown), thread_ts=thread)


def day_before(context: Context, row: OutboxMessage) -> Delivery:
    found = _agenda(context, row)
    meeting = context.session.get(Meeting, found.meeting_id)
    if meeting is None:
        raise Gone("meeting_gone")
    text, blocks = views.day_before_message(
        meeting.name, found.held_at, ZoneInfo(meeting.zone), people=checkins.participants(context.session, meeting),
        meeting_id=meeting.id,
    )  # fmt: skip
    return Message(channel=row.channel, text=text, blocks=blocks)


def item_added(context: Context, row: OutboxMessage) -> Delivery:
    item = context.session.get(CheckinItem, row.subject_id) if row.subject_id is not None else None
    meeting = context.session.get(Meeting, item.meeting_id) if item is not None else None
    if item is None or meeting is None:
        raise Gone("item_gone")
    live = checkins.entry_on_live_agenda(context.session, item.id, now=context.now)
    upcoming = checkins.next_occurrence(meeting, after=context.now, country=context.settings.holidays)
    text = views.item_added(meeting.name, upcoming[1] if upcoming else None, ZoneInfo(meeting.zone), item.id,
                            live=live[0].position + 1 if live else None)  # fmt: skip
    return Private(channel=row.channel, user=row.user or item.raised_by, text=text)


def late_note(context: Context, row: OutboxMessage) -> Delivery:
    """A late item's note in its agenda's thread (the agenda itself is re-rendered by its own row)."""
    entry = context.session.get(AgendaEntry, row.subject_id) if row.subject_id is not None else None
    item = context.session.get(CheckinItem, entry.item_id) if entry is not None else None
    if entry is None or item is None:
        raise Gone("entry_gone")
    thread = posted.find(context.session, kept(entry.agenda_id), channel=row.channel)
    if thread is None:
        raise Gone("agenda_not_posted")
    return Message(channel=row.channel, text=views.late_note_message(entry.position + 1, item.note), thread_ts=thread)


def still_planned(context: Context, reminder: Reminder) -> bool:
    return checkins.still_planned(context.session, reminder.subject_id)


def remind(context: Context, reminder: Reminder) -> None:
    outbox.enqueue(context.session, kind=checkins.DAY_BEFORE_POST, channel=reminder.recipient,
                   subject_id=reminder.subject_id, now=context.now)  # fmt: skip


def still_posted(context: Context, reminder: Reminder) -> bool:
    return checkins.still_posted(context.session, reminder.subject_id)


def summarise(context: Context, reminder: Reminder) -> None:
    checkins.summarise(context.session, reminder.subject_id, now=context.now)
