"""Scheduled periods: a job's period is claimed once, under a unique key, before anything is posted for it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import ScheduledRun

CLAIM_CHUNK = 5000


def claim(session: Session, *, job: str, period_key: str, due_at: datetime, now: datetime) -> bool:
    """True if this caller is the one to run the period (two instances or a retry get False)."""
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(ScheduledRun)
    inserted = session.execute(
        insert.values(job=job, period_key=period_key, due_at=due_at, ran_at=now)
        .on_conflict_do_nothing()
        .returning(ScheduledRun.id)
    )
    return inserted.first() is not None


def claim_many(session: Session, periods: list[tuple[str, str, datetime]], *, now: datetime) -> set[tuple[str, str]]:
    """Claim many (job, period key, due at) at once; returns the (job, key) this caller won.

    One statement per CLAIM_CHUNK periods: SQLite allows 32,766 bound values in a statement, four per period.
    """
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(ScheduledRun)
    won: set[tuple[str, str]] = set()
    for start in range(0, len(periods), CLAIM_CHUNK):
        rows = [
            {"job": job, "period_key": key, "due_at": due, "ran_at": now}
            for job, key, due in periods[start : start + CLAIM_CHUNK]
        ]
        result = session.execute(
            insert.values(rows).on_conflict_do_nothing().returning(ScheduledRun.job, ScheduledRun.period_key)
        )
        won.update((job, key) for job, key in result)
    return won


def unclaim(session: Session, *, job: str, period_key: str) -> None:
    """Give a period back (its work failed), so the next tick tries it again."""
    session.execute(delete(ScheduledRun).where(ScheduledRun.job == job, ScheduledRun.period_key == period_key))


def ran(session: Session, job: str) -> list[str]:
    """Period keys a job has run, oldest first."""
    return list(
        session.scalars(select(ScheduledRun.period_key).where(ScheduledRun.job == job).order_by(ScheduledRun.id))
    )
