"""Vacancy posts: the card kept in place in each channel, its thread lines, the submitter's confirmation."""

from __future__ import annotations

from bot.delivery import Context, Custom, Delivery, Gone, Message, Plugins, Private, ScheduledJob, Slack
from bot.domain import staleness, vacancies
from bot.domain.schedule import DailyAt, Rule
from bot.settings import Settings
from bot.slack import blocks
from storage import outbox, posted
from storage.models import OutboxMessage, Schedule, Vacancy

STALENESS = "staleness"


def register(plugins: Plugins) -> None:
    plugins.renderers.register(vacancies.Kind.CARD_POST, card)
    plugins.renderers.register(vacancies.Kind.CONFIRM, confirmation)
    plugins.renderers.register(vacancies.Kind.HISTORY, history_line)
    plugins.renderers.register(vacancies.Kind.CONFIRM_ASK, confirm_ask)
    plugins.jobs.register(STALENESS, ScheduledJob(run=check_stale, community_rule=daily_check))


def daily_check(settings: Settings) -> Rule:
    """PORCHLIGHT_DAILY_CHECK_TIME on the community's business days."""
    return DailyAt(at=settings.daily_check_time, zone=settings.zone, country=settings.holidays)


def check_stale(context: Context, schedule: Schedule | None, period: str) -> object:
    settings = context.settings
    if settings.vacancy_channel is None:
        return "no vacancies channel set"
    return staleness.check_stale(
        context.session, now=context.now, stale_days=settings.stale_days, expire_days=settings.expire_days,
        board_channel=settings.vacancy_channel,
    )  # fmt: skip


def vacancy_of(context: Context, row: OutboxMessage) -> Vacancy:
    vacancy = context.session.get(Vacancy, row.subject_id) if row.subject_id is not None else None
    if vacancy is None:
        raise Gone("vacancy_gone")
    return vacancy


def card_thread(context: Context, vacancy_id: int, channel: str) -> str:
    """The ts of the vacancy's card in `channel`: thread lines follow their card in the channel's order."""
    ts = posted.find(context.session, vacancies.card_of(vacancy_id), channel=channel)
    if ts is None:
        raise Gone("card_not_posted")
    return ts


def card(context: Context, row: OutboxMessage) -> Delivery:
    vacancy = vacancy_of(context, row)
    text, shown = blocks.vacancy_card(vacancy)
    return Message(channel=row.channel, text=text, blocks=shown, keep=vacancies.card_of(vacancy.id))


def confirmation(context: Context, row: OutboxMessage) -> Delivery:
    """Tell the submitter where the card landed (a permalink), privately where they are, else by DM."""
    vacancy = vacancy_of(context, row)
    user = row.user or vacancy.created_by
    parent = context.session.get(OutboxMessage, row.after_id) if row.after_id else None
    landed = (parent.result_channel, parent.result_ts) if parent and parent.status == outbox.Status.SENT else None
    not_posted = blocks.vacancy_card_not_posted(vacancy)

    def send(slack: Slack) -> tuple[str, str | None]:
        text = not_posted
        if landed and landed[0] and landed[1]:
            text = blocks.vacancy_confirmation(vacancy, slack.permalink(landed[0], landed[1]))
        return slack.private(Private(channel=row.channel, user=user, text=text))

    return Custom(send)


def history_line(context: Context, row: OutboxMessage) -> Delivery:
    vacancy = vacancy_of(context, row)
    thread = card_thread(context, vacancy.id, row.channel)
    text = blocks.history_line(vacancy, event=str(row.detail.get("event")), by=str(row.detail.get("by") or ""))
    return Message(channel=row.channel, text=text, thread_ts=thread)


def confirm_ask(context: Context, row: OutboxMessage) -> Delivery:
    vacancy = vacancy_of(context, row)
    thread = card_thread(context, vacancy.id, row.channel)
    text, ask = blocks.confirm_ask(vacancy, managers=vacancies.manager_ids(context.session, vacancy))
    return Message(channel=row.channel, text=text, blocks=ask, thread_ts=thread)
