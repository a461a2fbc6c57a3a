"""Schedule rows: a subject's recurring work and when it is next due. What is due is one indexed range read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import Schedule


def put(
    session: Session,
    *,
    job: str,
    subject_type: str,
    subject_id: int,
    rule: dict[str, Any],
    next_due_at: datetime | None,
    now: datetime,
    active: bool = True,
) -> None:
    """Set a subject's schedule for `job` (insert, or replace its rule and next due time)."""
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(Schedule)
    values = {"rule": rule, "next_due_at": next_due_at, "active": active, "updated_at": now}
    session.execute(
        insert.values(
            job=job, subject_type=subject_type, subject_id=subject_id, created_at=now, **values
        ).on_conflict_do_update(index_elements=["job", "subject_type", "subject_id"], set_=values)
    )


def due(session: Session, *, now: datetime, limit: int = 1000) -> Sequence[Schedule]:
    """Active schedules whose next occurrence has come, soonest first."""
    return session.scalars(
        select(Schedule)
        .where(Schedule.active.is_(True), Schedule.next_due_at <= now)
        .order_by(Schedule.next_due_at, Schedule.id)
        .limit(limit)
    ).all()


def advance(session: Session, moves: Sequence[tuple[Schedule, datetime | None]]) -> None:
    """Move each schedule's next due time on from the one read (compare-and-set: a schedule another instance
    advanced first keeps its value), in one statement executed for the whole batch."""
    if not moves:
        return
    statement = (
        update(Schedule)
        .where(Schedule.id == bindparam("row_id"), Schedule.next_due_at == bindparam("was"))
        .values(next_due_at=bindparam("next_due"))
        .execution_options(synchronize_session=False)
    )
    session.connection().execute(
        statement, [{"row_id": row.id, "was": row.next_due_at, "next_due": due} for row, due in moves]
    )
