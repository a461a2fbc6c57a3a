"""The audit log: every state change, who made it and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from storage.models import AuditEntry


def record(
    session: Session,
    *,
    actor: str,
    actor_team: str | None,
    action: str,
    subject_type: str,
    subject_id: int | None,
    at: datetime,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add one audit entry to the session (the caller commits)."""
    entry = AuditEntry(
        actor=actor,
        actor_team=actor_team,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        at=at,
        detail=detail or {},
    )
    session.add(entry)
    return entry
