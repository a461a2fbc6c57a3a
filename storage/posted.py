"""Messages kept in place: where each subject's card (or agenda, or status card) is, so changes edit it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import PostedMessage


@dataclass(frozen=True)
class Kept:
    """Which kept message a delivery shows: a subject's message of one role (the channel is the delivery's)."""

    subject_type: str
    subject_id: int
    role: str


def find(session: Session, kept: Kept, *, channel: str) -> str | None:
    """The ts of `kept` in `channel`, if it has been posted there."""
    return session.scalar(
        select(PostedMessage.ts).where(
            PostedMessage.subject_type == kept.subject_type,
            PostedMessage.subject_id == kept.subject_id,
            PostedMessage.role == kept.role,
            PostedMessage.channel == channel,
        )
    )


def record(session: Session, kept: Kept, *, channel: str, ts: str, now: datetime) -> None:
    """Remember where `kept` landed; the first record wins (a late duplicate delivery edits that one)."""
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(PostedMessage)
    session.execute(
        insert.values(
            subject_type=kept.subject_type, subject_id=kept.subject_id, role=kept.role, channel=channel, ts=ts,
            posted_at=now,
        ).on_conflict_do_nothing()
    )  # fmt: skip


def channels(session: Session, *, subject_type: str, subject_id: int, role: str) -> list[str]:
    """Every channel where the subject's message of `role` is shown, in the order they were posted."""
    return list(
        session.scalars(
            select(PostedMessage.channel)
            .where(
                PostedMessage.subject_type == subject_type,
                PostedMessage.subject_id == subject_id,
                PostedMessage.role == role,
            )
            .order_by(PostedMessage.id)
        )
    )


def subjects_of(session: Session, places: Iterable[tuple[str, str]], *, subject_type: str) -> Sequence[PostedMessage]:
    """The kept messages of `subject_type` at these (channel, ts) places: one query, for a batch of replies."""
    wanted = list(dict.fromkeys(places))
    if not wanted:
        return []
    return session.scalars(
        select(PostedMessage).where(
            PostedMessage.subject_type == subject_type,
            tuple_(PostedMessage.channel, PostedMessage.ts).in_(wanted),
        )
    ).all()
