"""Inbound dedup: remember event ids and (channel, ts) pairs so a re-delivered event has its effect once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Insert, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import Contact, InboundEvent


def _insert_ignoring_duplicates(session: Session, model: Any, values: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING; True if the row is new. Safe when two instances race."""
    dialect = session.get_bind().dialect.name
    statement: Insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)
    key = next(iter(model.__table__.primary_key.columns))
    inserted = session.execute(statement.values(**values).on_conflict_do_nothing().returning(key))
    return inserted.first() is not None


def first_delivery(session: Session, *, event_id: str, now: datetime) -> bool:
    """Record an event id; False if it was seen before (a retry or a duplicate)."""
    return _insert_ignoring_duplicates(session, InboundEvent, {"event_id": event_id, "received_at": now})


def record_contact(
    session: Session,
    *,
    channel: str,
    ts: str,
    thread_ts: str | None,
    user_id: str,
    team_id: str | None,
    kind: str,
    at: datetime,
) -> bool:
    """Record a contact once per (channel, ts): Slack sometimes re-sends a message under a new event id."""
    values = {"channel": channel, "ts": ts, "thread_ts": thread_ts, "user_id": user_id, "team_id": team_id,
              "kind": kind, "at": at}  # fmt: skip
    return _insert_ignoring_duplicates(session, Contact, values)


def forget_events_before(session: Session, cutoff: datetime) -> int:
    """Drop event ids older than any retry Slack would still send."""
    result = session.execute(delete(InboundEvent).where(InboundEvent.received_at < cutoff))
    return result.rowcount  # type: ignore[attr-defined,no-any-return]
