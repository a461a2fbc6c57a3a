"""Outbox rows come due in order per channel, wait for the row they follow, and are claimed once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from storage import outbox
from storage.models import OutboxMessage

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def test_a_channel_keeps_its_order_and_other_channels_go_on(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        first = outbox.enqueue(session, kind="k", channel="C1", now=NOW)
        outbox.enqueue(session, kind="k", channel="C1", now=NOW)
        other = outbox.enqueue(session, kind="k", channel="C2", now=NOW)
        first.next_attempt_at = NOW + timedelta(minutes=1)  # first is waiting for a retry
    with session_factory() as session:
        assert [r.id for r in outbox.due(session, now=NOW)] == [other.id]
        assert [r.id for r in outbox.due(session, now=NOW + timedelta(minutes=2))] == [first.id, other.id]


def test_a_row_waits_for_the_row_it_follows(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        card = outbox.enqueue(session, kind="card", channel="C1", now=NOW)
        confirm = outbox.enqueue(session, kind="confirm", channel="C9", after=card, now=NOW)
    with session_factory() as session:
        assert [r.id for r in outbox.due(session, now=NOW)] == [card.id]
    with session_factory.begin() as session:
        row = session.get(OutboxMessage, card.id)
        assert row is not None
        row.status = outbox.Status.FAILED  # a failed card still lets the confirmation say so
    with session_factory() as session:
        assert [r.id for r in outbox.due(session, now=NOW)] == [confirm.id]


def test_a_row_is_claimed_once_until_the_claim_lapses(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        row = outbox.enqueue(session, kind="k", channel="C1", now=NOW)
    hold = timedelta(seconds=60)
    with session_factory.begin() as session:
        assert outbox.claim(session, row.id, now=NOW, hold=hold, by="a")
    with session_factory.begin() as session:
        assert not outbox.claim(session, row.id, now=NOW + timedelta(seconds=30), hold=hold, by="b")
        assert outbox.due(session, now=NOW + timedelta(seconds=30)) == []
    with session_factory.begin() as session:
        assert outbox.claim(session, row.id, now=NOW + timedelta(seconds=61), hold=hold, by="b")
    with session_factory() as session:
        assert outbox.pending_count(session) == 1


def test_releasing_a_dead_claimant_frees_only_its_own_pending_rows(session_factory: sessionmaker[Session]) -> None:
    hold = timedelta(seconds=60)
    with session_factory.begin() as session:
        mine, theirs, sent = (outbox.enqueue(session, kind="k", channel=f"C{i}", now=NOW).id for i in range(3))
    with session_factory.begin() as session:
        assert outbox.claim(session, mine, now=NOW, hold=hold, by="dead")
        assert outbox.claim(session, theirs, now=NOW, hold=hold, by="alive")
        assert outbox.claim(session, sent, now=NOW, hold=hold, by="dead")
        sent_row = session.get(OutboxMessage, sent)
        assert sent_row is not None
        sent_row.status = outbox.Status.SENT
    with session_factory.begin() as session:
        assert outbox.release(session, "dead") == 1
        assert outbox.release(session, "dead") == 0
    with session_factory() as session:
        assert [r.id for r in outbox.due(session, now=NOW + timedelta(seconds=1))] == [mine]
        row = session.get(OutboxMessage, mine)
        assert row is not None and row.attempts == 1  # still counted: the next delivery looks before posting
