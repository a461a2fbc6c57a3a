"""The contact log: each message in a channel counts as contact with the speaker's organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from storage import inbound


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


def note_messages(session: Session, messages: list[SpokenMessage]) -> int:
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
    return inbound.record_contacts(session, rows)
