"""The contact log: each message in a channel counts as contact with the speaker's organisation."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain import access, vacancies
from bot.domain.actors import Actor
from storage import inbound, posted
from storage.models import Vacancy


@dataclass(frozen=True)
class SpokenMessage:
    """A person's message, reduced to what the contact log may keep: ids and times, no text."""

    event_id: str
    channel: str
    ts: str
    thread_ts: str | None
    user_id: str
    team_id: str | None
    at: datetime


def note_messages(session: Session, messages: list[SpokenMessage], *, board_channel: str | None = None) -> int:
    """Log messages as contact, each once however often Slack delivered it; returns how many were new.

    Deliveries are deduplicated on event_id (Slack's retries) and contacts on channel + ts (Slack sometimes
    re-sends a message under a new event id).
    """
    fresh = inbound.first_deliveries(session, {m.event_id: m.at for m in messages})
    rows = [
        inbound.ContactRow(
            channel=m.channel,
            ts=m.ts,
            thread_ts=m.thread_ts,
            user_id=m.user_id,
            team_id=m.team_id,
            at=m.at,
            kind="thread_reply" if m.thread_ts and m.thread_ts != m.ts else "message",
        )
        for m in messages
        if m.event_id in fresh
    ]
    new = inbound.record_contacts(session, rows)
    if board_channel is not None:
        _replies_confirm_listings(session, [m for m in messages if m.event_id in fresh], board_channel)
    return new


def _replies_confirm_listings(session: Session, messages: list[SpokenMessage], board_channel: str) -> None:
    """A property manager's reply in a vacancy card's thread refreshes "last confirmed"."""
    replies = [m for m in messages if m.thread_ts and m.thread_ts != m.ts]
    if not replies:
        return
    places = [(m.channel, m.thread_ts or "") for m in replies]
    threads = {
        (card.channel, card.ts): card.subject_id
        for card in posted.subjects_of(session, places, subject_type=vacancies.SUBJECT)
        if card.role == vacancies.CARD
    }
    for message in replies:
        vacancy_id = threads.get((message.channel, message.thread_ts or ""))
        if vacancy_id is None:
            continue
        vacancy = session.get(Vacancy, vacancy_id)
        actor = Actor(message.user_id, message.team_id)
        if (
            vacancy is None
            or vacancy.status not in vacancies.LIVE
            or not access.manages(session, actor, vacancy.property_id)
        ):
            continue
        with contextlib.suppress(vacancies.AlreadyDone):
            vacancies.confirm_available(session, vacancy_id, actor=actor, now=message.at, board_channel=board_channel)
