"""Inbound dedup: remember event ids (and messages' "msg:channel:ts" keys, bot.domain.contacts) so a re-delivered
event has its effect once.

View submissions that create rows are remembered in the same table, under a key derived from the view (see
bot/slack/payloads.submission_key): a replayed submission carries no event id, but the same view id and hash.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import InboundEvent


def _insert_new(session: Session, model: Any, rows: list[dict[str, Any]], key: Any) -> set[Any]:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING key: the keys that were new. Safe when instances race.

    One statement per table and dialect, run with the rows as parameters (SQLAlchemy batches them into
    multi-row INSERTs itself): it compiles once, where `.values(rows)` compiled again for every batch size.
    """
    if not rows:
        return set()
    statement = _insert_statement(session.get_bind().dialect.name, model.__table__, key.key)
    return set(session.connection().execute(statement, rows).scalars())


@functools.cache
def _insert_statement(dialect: str, table: Any, key: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing().returning(table.c[key])


def first_deliveries(session: Session, received: dict[str, datetime]) -> set[str]:
    """Record event ids (id -> received at); returns those not seen before (not retries or duplicates)."""
    rows = [{"event_id": event_id, "received_at": at} for event_id, at in received.items()]
    return _insert_new(session, InboundEvent, rows, InboundEvent.event_id)


def first_delivery(session: Session, *, event_id: str, now: datetime) -> bool:
    return event_id in first_deliveries(session, {event_id: now})


def first_submission(session: Session, *, key: str, now: datetime) -> bool:
    """Record a view submission's key; False if it was recorded before (the same submission, replayed).

    Inside the caller's transaction: if what the submission stores is rolled back, so is its key.
    """
    return first_delivery(session, event_id=key, now=now)


def forget_events_before(session: Session, cutoff: datetime) -> int:
    """Drop event ids older than any retry Slack would still send."""
    result = session.execute(delete(InboundEvent).where(InboundEvent.received_at < cutoff))
    return result.rowcount  # type: ignore[attr-defined,no-any-return]
