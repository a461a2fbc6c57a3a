"""Escalations: the status card kept in place in the escalation channel, its thread lines and welfare checklist,
the parties' and coordinators' DMs, the shared channel's case-number line, the deadlines (reminder kinds) and
the property hub's *Raise an issue* button."""

from __future__ import annotations

from bot.delivery import Context, Delivery, Gone, HubButton, Message, Plugins, ReminderKind
from bot.domain import escalations
from bot.domain.escalations import Event
from bot.slack import ids
from bot.slack.blocks import escalations as texts
from storage import outbox, posted
from storage.models import Escalation, OutboxMessage, Property, Reminder

HUB_ORDER = 20  # after the vacancy features' buttons, before the ones that follow


def register(plugins: Plugins) -> None:
    plugins.renderers.register(escalations.CARD, card)
    plugins.renderers.register(escalations.CHECKLIST, checklist)
    plugins.renderers.register(escalations.THREAD, thread_line)
    plugins.renderers.register(escalations.PARTY_DM, party_dm)
    plugins.renderers.register(escalations.COORDINATOR_DM, coordinator_dm)
    plugins.renderers.register(escalations.SHARED, shared_status)
    waiting = ReminderKind(still_needed=still_unacknowledged, send=tell_coordinator)
    plugins.reminders.register(escalations.REMIND_ACK, waiting)
    plugins.reminders.register(escalations.TELL_BACKUP, waiting)
    plugins.reminders.register(escalations.MARK_OVERDUE, ReminderKind(still_needed=still_unacknowledged,
                                                                      send=show_overdue))  # fmt: skip
    plugins.reminders.register(escalations.MEDIATION_REMINDER, ReminderKind(still_needed=mediation_ahead,
                                                                            send=remind_party))  # fmt: skip
    plugins.hub_buttons.register(ids.ACTION_ESCALATION_RAISE,
                                 HubButton(ids.ACTION_ESCALATION_RAISE, "Raise an issue", order=HUB_ORDER))  # fmt: skip


# -- deadlines ---------------------------------------------------------------------------------------------------


def still_unacknowledged(context: Context, reminder: Reminder) -> bool:
    return escalations.still_waiting(context.session, reminder.subject_id)


def tell_coordinator(context: Context, reminder: Reminder) -> None:
    event = Event.REMIND if reminder.kind == escalations.REMIND_ACK else Event.OVERDUE
    outbox.enqueue(context.session, kind=escalations.COORDINATOR_DM, channel=reminder.recipient,
                   subject_id=reminder.subject_id, now=context.now, detail={"event": event})  # fmt: skip


def show_overdue(context: Context, reminder: Reminder) -> None:
    escalations.mark_overdue(context.session, reminder.subject_id, desk_channel=reminder.recipient, now=context.now)


def mediation_ahead(context: Context, reminder: Reminder) -> bool:
    return escalations.mediation_pending(context.session, reminder.subject_id, now=context.now)


def remind_party(context: Context, reminder: Reminder) -> None:
    outbox.enqueue(context.session, kind=escalations.PARTY_DM, channel=reminder.recipient,
                   subject_id=reminder.subject_id, now=context.now,
                   detail={"event": Event.MEDIATION_TOMORROW, "by": "system"})  # fmt: skip


# -- renderers ---------------------------------------------------------------------------------------------------


def _case(context: Context, row: OutboxMessage) -> tuple[Escalation, str]:
    escalation = context.session.get(Escalation, row.subject_id) if row.subject_id is not None else None
    if escalation is None:
        raise Gone("escalation_gone")
    prop = context.session.get(Property, escalation.property_id)
    return escalation, prop.name if prop else "?"


def card_ts(context: Context, escalation_id: int, channel: str) -> str:
    """The status card's ts in `channel`: thread lines follow their card in the channel's order."""
    ts = posted.find(context.session, escalations.card_of(escalation_id), channel=channel)
    if ts is None:
        raise Gone("card_not_posted")
    return ts


def card(context: Context, row: OutboxMessage) -> Delivery:
    escalation, name = _case(context, row)
    text, shown = texts.status_card(escalation, property_name=name, now=context.now, zone=context.settings.zone)
    return Message(channel=row.channel, text=text, blocks=shown, keep=escalations.card_of(escalation.id))


def checklist(context: Context, row: OutboxMessage) -> Delivery:
    escalation, _ = _case(context, row)
    done = escalations.steps_done(context.session, escalation.id)
    text, shown = texts.checklist(escalation, done=done, zone=context.settings.zone)
    return Message(channel=row.channel, text=text, blocks=shown, thread_ts=card_ts(context, escalation.id, row.channel),
                   keep=escalations.checklist_of(escalation.id))  # fmt: skip


def thread_line(context: Context, row: OutboxMessage) -> Delivery:
    escalation, _ = _case(context, row)
    note = escalations.note(context.session, row.detail.get("note"))
    text = texts.thread_line(escalation, event=str(row.detail.get("event")), by=str(row.detail.get("by") or ""),
                             note=note, zone=context.settings.zone)  # fmt: skip
    return Message(channel=row.channel, text=text, thread_ts=card_ts(context, escalation.id, row.channel))


def party_dm(context: Context, row: OutboxMessage) -> Delivery:
    escalation, name = _case(context, row)
    text = texts.party_dm(escalation, property_name=name, event=str(row.detail.get("event")),
                          by=str(row.detail.get("by") or ""), zone=context.settings.zone)  # fmt: skip
    return Message(channel=row.channel, text=text)


def coordinator_dm(context: Context, row: OutboxMessage) -> Delivery:
    escalation, name = _case(context, row)
    channel = context.settings.escalation_channel or ""
    text = texts.coordinator_dm(escalation, property_name=name, event=str(row.detail.get("event")), channel=channel)
    return Message(channel=row.channel, text=text)


def shared_status(context: Context, row: OutboxMessage) -> Delivery:
    escalation, _ = _case(context, row)
    text = texts.shared_status(escalation)
    return Message(channel=row.channel, text=text, keep=escalations.shared_of(escalation.id))
