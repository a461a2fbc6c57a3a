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


def note_message(session: Session, message: SpokenMessage, *, now: datetime) -> bool:
    """Log a message as contact, once; False when it was a re-delivery or already logged."""
    if not inbound.first_delivery(session, event_id=message.event_id, now=now):
        return False
    kind = "thread_reply" if message.thread_ts and message.thread_ts != message.ts else "message"
    return inbound.record_contact(
        session, channel=message.channel, ts=message.ts, thread_ts=message.thread_ts, user_id=message.user_id,
        team_id=message.team_id, kind=kind, at=now,
    )  # fmt: skip
