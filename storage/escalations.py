"""Escalation rows the domain writes beside the engine's: a ticked step of the welfare protocol."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import EscalationStep


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
