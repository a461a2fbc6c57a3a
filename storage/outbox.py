"""Outbox rows: enqueue in the caller's transaction; claim, complete, retry or fail them for delivery."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import BindParameter, Select, and_, bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from storage.models import OutboxMessage
from storage.rows import changed


class Status(StrEnum):
    PENDING = "pending"  # to deliver (or being delivered, while claimed)
    SENT = "sent"
    FAILED = "failed"  # for good: the coordinators have been told


def enqueue(
    session: Session,
    *,
    kind: str,
    channel: str,
    now: datetime,
    subject_id: int | None = None,
    user: str | None = None,
    after: OutboxMessage | None = None,
    detail: dict[str, Any] | None = None,
) -> OutboxMessage:
    """Add a message to deliver; flushes so that its id can be referred to by a later row."""
    row = OutboxMessage(
        kind=kind,
        channel=channel,
        subject_id=subject_id,
        user=user,
        detail=detail or {},
        after_id=after.id if after is not None else None,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def _due_statement() -> Select[OutboxMessage]:
    earlier, parent = aliased(OutboxMessage), aliased(OutboxMessage)
    now: BindParameter[datetime] = bindparam("now")
    blocked_by_earlier = (
        select(earlier.id)
        .where(
            earlier.channel == OutboxMessage.channel, earlier.id < OutboxMessage.id, earlier.status == Status.PENDING
        )
        .exists()
    )
    waiting_for_parent = (
        select(parent.id).where(parent.id == OutboxMessage.after_id, parent.status == Status.PENDING).exists()
    )
    return (
        select(OutboxMessage)
        .where(
            OutboxMessage.status == Status.PENDING,
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
            ~blocked_by_earlier,
            ~waiting_for_parent,
        )
        .order_by(OutboxMessage.id)
        .limit(bindparam("limit"))
    )


# Built once: constructing this statement costs more than running it, and it runs every second.
DUE = _due_statement()


def due(session: Session, *, now: datetime, limit: int = 50) -> Sequence[OutboxMessage]:
    """Pending rows whose time has come and that nobody holds, oldest first, one channel in order.

    A row waits while an older pending row for the same channel exists, or while the row it comes after is
    still pending (once that is sent or failed, the row goes: it can say either), so a channel keeps its order.
    """
    return session.scalars(DUE, {"now": now, "limit": limit}).all()


def claim(session: Session, row_id: int, *, now: datetime, hold: timedelta, by: str) -> bool:
    """Compare-and-set a claim on a row, so that two workers never deliver it at once.

    The claim counts as an attempt: if this worker dies after Slack took the message, the next one knows an
    attempt happened and looks for the message before posting it again. `by` names the claiming process, so
    that whoever sees it die can hand its rows on at once (`release`) rather than after `hold`.
    """
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == row_id,
            OutboxMessage.status == Status.PENDING,
            or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now),
        )
        .values(claimed_until=now + hold, claimed_by=by, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return changed(result) == 1


def release(session: Session, by: str) -> int:
    """Let go of the pending rows that `by` (a process known to be dead) held; returns how many.

    Their attempt stays counted, so the next delivery looks for each message in Slack before posting it.
    """
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.claimed_by == by,
            OutboxMessage.status == Status.PENDING,
            OutboxMessage.claimed_until.is_not(None),
        )
        .values(claimed_until=None)
        .execution_options(synchronize_session=False)
    )
    return changed(result)


def pending_count(session: Session) -> int:
    return session.scalar(select(func.count()).where(OutboxMessage.status == Status.PENDING)) or 0


def forget_done_before(session: Session, cutoff: datetime) -> int:
    """Delete sent and failed rows created before `cutoff`, except those a surviving row still follows."""
    done = and_(OutboxMessage.status.in_((Status.SENT, Status.FAILED)), OutboxMessage.created_at < cutoff)
    follower = aliased(OutboxMessage)
    followed_by_survivor = select(follower.after_id).where(
        follower.after_id.is_not(None), or_(follower.status == Status.PENDING, follower.created_at >= cutoff)
    )
    result = session.execute(
        delete(OutboxMessage)
        .where(done, OutboxMessage.id.not_in(followed_by_survivor))
        .execution_options(synchronize_session=False)
    )
    return changed(result)
