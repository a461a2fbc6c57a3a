"""Reminder rows: add them with the change that starts them, finish them with the one that ends them, and claim
each send by compare-and-set so it happens once whatever the restarts and instances."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import Reminder
from storage.rows import changed


def add(
    session: Session,
    *,
    kind: str,
    subject_type: str,
    subject_id: int,
    recipient: str,
    zone: str,
    due_at: datetime,
    now: datetime,
    max_sends: int = 1,
    again: bool = False,
) -> None:
    """Start a reminder. Adding the same one again (kind, subject, recipient) changes nothing; with `again`, it is
    set due at `due_at` once more, unsent and unsnoozed, whether or not it was sent for an earlier time (a
    mediation rescheduled)."""
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(Reminder).values(
        kind=kind, subject_type=subject_type, subject_id=subject_id, recipient=recipient, zone=zone,
        due_at=due_at, max_sends=max_sends, sent_count=0, created_at=now,
    )  # fmt: skip
    if again:
        rearmed = {"due_at": due_at, "sent_count": 0, "done_at": None, "snoozed_until": None, "last_sent_at": None}
        keys = ["kind", "subject_type", "subject_id", "recipient"]
        session.execute(insert.on_conflict_do_update(index_elements=keys, set_=rearmed))
    else:
        session.execute(insert.on_conflict_do_nothing())


def finish(session: Session, *, subject_type: str, subject_id: int, now: datetime, kinds: Sequence[str] = ()) -> int:
    """The subject no longer needs its reminders (of `kinds`, or all): none of them is sent again."""
    where = [Reminder.subject_type == subject_type, Reminder.subject_id == subject_id, Reminder.done_at.is_(None)]
    if kinds:
        where.append(Reminder.kind.in_(list(kinds)))
    result = session.execute(
        update(Reminder).where(*where).values(done_at=now).execution_options(synchronize_session=False)
    )
    return changed(result)


def due(session: Session, *, now: datetime, limit: int = 500) -> Sequence[Reminder]:
    """Unfinished reminders whose time has come (and that nobody snoozed past now), oldest first: one query."""
    return session.scalars(
        select(Reminder)
        .where(
            Reminder.done_at.is_(None),
            Reminder.due_at <= now,
            or_(Reminder.snoozed_until.is_(None), Reminder.snoozed_until <= now),
        )
        .order_by(Reminder.due_at, Reminder.id)
        .limit(limit)
    ).all()


def claim_send(session: Session, reminder: Reminder, *, now: datetime, next_due: datetime | None) -> bool:
    """Compare-and-set: count one send of `reminder` as it was read; the last allowed send finishes it.

    False when someone else sent (or finished) it first. `next_due` is when a reminder with sends left is due
    again (None: it is finished after this send, whatever `max_sends` says).
    """
    last = reminder.sent_count + 1 >= reminder.max_sends or next_due is None
    result = session.execute(
        update(Reminder)
        .where(Reminder.id == reminder.id, Reminder.sent_count == reminder.sent_count, Reminder.done_at.is_(None))
        .values(
            sent_count=Reminder.sent_count + 1,
            last_sent_at=now,
            done_at=now if last else None,
            due_at=reminder.due_at if last or next_due is None else next_due,
        )
        .execution_options(synchronize_session=False)
    )
    return changed(result) == 1


def postpone(session: Session, reminder: Reminder, *, until: datetime) -> bool:
    """Move a reminder that fell due outside its recipient's working hours; compare-and-set on its due time."""
    result = session.execute(
        update(Reminder)
        .where(Reminder.id == reminder.id, Reminder.due_at == reminder.due_at, Reminder.done_at.is_(None))
        .values(due_at=until)
        .execution_options(synchronize_session=False)
    )
    return changed(result) == 1


def close(session: Session, reminder: Reminder, *, now: datetime) -> None:
    session.execute(
        update(Reminder)
        .where(Reminder.id == reminder.id, Reminder.done_at.is_(None))
        .values(done_at=now)
        .execution_options(synchronize_session=False)
    )


def send_once_more(session: Session, reminder: Reminder, *, at: datetime) -> None:
    """One more send at `at`: a finished reminder is opened again for one send (compare-and-set on its send count
    as read, so two callers make one more send, not two); an unfinished one due later is brought forward."""
    if reminder.done_at is not None:
        session.execute(
            update(Reminder)
            .where(Reminder.id == reminder.id, Reminder.sent_count == reminder.sent_count)
            .values(done_at=None, max_sends=reminder.sent_count + 1, due_at=at)
            .execution_options(synchronize_session=False)
        )
    elif reminder.due_at > at:
        session.execute(
            update(Reminder)
            .where(Reminder.id == reminder.id)
            .values(due_at=at)
            .execution_options(synchronize_session=False)
        )


def snooze(session: Session, reminder_id: int, *, until: datetime) -> bool:
    result = session.execute(
        update(Reminder)
        .where(Reminder.id == reminder_id, Reminder.done_at.is_(None))
        .values(snoozed_until=until)
        .execution_options(synchronize_session=False)
    )
    return changed(result) == 1


def of_subject(session: Session, *, subject_type: str, subject_id: int) -> Sequence[Reminder]:
    return session.scalars(
        select(Reminder)
        .where(Reminder.subject_type == subject_type, Reminder.subject_id == subject_id)
        .order_by(Reminder.id)
    ).all()
