"""Referrals: the notice in the card's thread, the outcome DM, the celebration of a move-in, and the answer's
24/48-hour reminders (bot.domain.referral_deadlines)."""

from __future__ import annotations

from bot.delivery import Context, Delivery, Gone, Message, Plugins, ReminderKind
from bot.domain import referral_deadlines as deadlines
from bot.domain import referrals, vacancies
from bot.slack import blocks
from bot.slack.blocks import reminders as reminder_texts
from jobs.features.vacancies import card_thread, vacancy_of
from storage import outbox
from storage.models import OutboxMessage, Referral, Reminder, Vacancy


def register(plugins: Plugins) -> None:
    plugins.renderers.register(referrals.Kind.NOTICE, notice)
    plugins.renderers.register(vacancies.Kind.REFERRAL_OUTCOME, outcome_dm)
    plugins.renderers.register(referrals.Kind.CELEBRATE, celebration)
    plugins.renderers.register(deadlines.Kind.REMIND_POST, answer_due)
    plugins.renderers.register(deadlines.Kind.OVERDUE_DM, answer_overdue)
    answer = ReminderKind(still_needed=still_waiting, send=queue_reminder)
    plugins.reminders.register(deadlines.Due.REMIND_MANAGERS, answer)
    plugins.reminders.register(deadlines.Due.TELL_COORDINATORS, answer)


def still_waiting(context: Context, reminder: Reminder) -> bool:
    return deadlines.still_waiting(context.session, reminder.subject_id)


def queue_reminder(context: Context, reminder: Reminder) -> None:
    """A due reminder becomes one outbox row: the managers' thread post, or a coordinator's DM."""
    kind = deadlines.Kind.REMIND_POST if reminder.kind == deadlines.Due.REMIND_MANAGERS else deadlines.Kind.OVERDUE_DM
    outbox.enqueue(context.session, kind=kind, channel=reminder.recipient, subject_id=reminder.subject_id,
                   now=context.now)  # fmt: skip


def _referral(context: Context, row: OutboxMessage) -> tuple[Referral, Vacancy]:
    referral = context.session.get(Referral, row.subject_id) if row.subject_id is not None else None
    vacancy = context.session.get(Vacancy, referral.vacancy_id) if referral else None
    if referral is None or vacancy is None:
        raise Gone("referral_gone")
    return referral, vacancy


def notice(context: Context, row: OutboxMessage) -> Delivery:
    referral, vacancy = _referral(context, row)
    thread = card_thread(context, vacancy.id, row.channel)
    managers = vacancies.manager_ids(context.session, vacancy)
    text, shown = blocks.referral_notice(referral, vacancy, managers=managers)
    return Message(channel=row.channel, text=text, blocks=shown, thread_ts=thread)


def outcome_dm(context: Context, row: OutboxMessage) -> Delivery:
    referral, vacancy = _referral(context, row)
    return Message(channel=row.channel, text=blocks.referral_outcome_dm(referral, vacancy))


def celebration(context: Context, row: OutboxMessage) -> Delivery:
    return Message(channel=row.channel, text=blocks.celebration(vacancy_of(context, row)))


def answer_due(context: Context, row: OutboxMessage) -> Delivery:
    referral, vacancy = _referral(context, row)
    thread = card_thread(context, vacancy.id, row.channel)
    managers = vacancies.manager_ids(context.session, vacancy)
    text = reminder_texts.referral_answer_due(referral, managers=managers, hours=deadlines.REMIND_AFTER_HOURS)
    return Message(channel=row.channel, text=text, thread_ts=thread)


def answer_overdue(context: Context, row: OutboxMessage) -> Delivery:
    referral, vacancy = _referral(context, row)
    text = reminder_texts.referral_answer_overdue(referral, vacancy, hours=deadlines.TELL_AFTER_HOURS)
    return Message(channel=row.channel, text=text)
