"""Escalation rows the domain writes beside the engine's: a reminder that can be moved, and a ticked step."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import EscalationStep, Reminder

SUBJECT = "escalation"


def remind(
    session: Session, *, kind: str, subject_id: int, recipient: str, zone: str, due_at: datetime, now: datetime
) -> None:
    """Start a reminder, or move it (a mediation rescheduled): unlike storage.reminders.add, an existing one is
    set due again at `due_at`, unsent, whether or not it had been sent for the old time."""
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(Reminder)
    again = {"due_at": due_at, "sent_count": 0, "done_at": None, "snoozed_until": None, "last_sent_at": None}
    session.execute(
        insert.values(
            kind=kind, subject_type=SUBJECT, subject_id=subject_id, recipient=recipient, zone=zone, max_sends=1,
            created_at=now, **again,
        ).on_conflict_do_update(index_elements=["kind", "subject_type", "subject_id", "recipient"], set_=again)
    )  # fmt: skip


def tick(session: Session, *, escalation_id: int, step: str, by: str, now: datetime) -> bool:
    """Record a protocol step as done; False when it already was (the first tick is kept)."""
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(EscalationStep)
    # RETURNING says whether this statement inserted it (an INSERT's row count is not reliable on every driver).
    inserted = session.scalar(
        insert.values(escalation_id=escalation_id, step=step, done_by=by, done_at=now)
        .on_conflict_do_nothing()
        .returning(EscalationStep.id)
    )
    return inserted is not None
