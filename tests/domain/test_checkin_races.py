"""An agenda's Discussed / Carry over / Close clicked by two people at once is applied as one compare-and-set.

Real threads with separate sessions lined up by a barrier: on PostgreSQL they really interleave (SQLite's single
writer serialises them, so there they only check the outcomes). Whatever order the database picks: a double click
applies once and the other is told; an item is closed exactly when its entry says Closed; each applied click is
audited once.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.domain import checkins
from bot.domain.actors import Actor
from bot.domain.checkins import Outcome, Section
from storage.models import AgendaEntry, AuditEntry, CheckinItem
from tests.domain.test_checkins import PM, RSC, WEDNESDAY_TEN, held, lines_of, meeting_on, raise_item
from tests.domain.test_races import Step, at_once

TRIES = 10
CLICKED = WEDNESDAY_TEN + timedelta(minutes=5)


def posted_entries(session_factory: sessionmaker[Session]) -> list[int]:
    """TRIES items on Maple Court's posted agenda: their entry ids."""
    with session_factory.begin() as session:
        meeting = meeting_on(session)
        for n in range(TRIES):
            raise_item(session, meeting, Section.ARREARS, f"{n + 1}A")
        return [line.entry_id or 0 for line in lines_of(held(session, meeting, WEDNESDAY_TEN))]


def click(entry_id: int, outcome: Outcome, who: Actor) -> Step:
    return lambda session: checkins.mark(session, entry_id, outcome, actor=who, now=CLICKED).outcome


def settled(session_factory: sessionmaker[Session], entry_id: int) -> tuple[str, bool, int]:
    """The entry's outcome, whether its item is closed, and how many clicks on it were audited."""
    with session_factory() as session:
        entry = session.get(AgendaEntry, entry_id)
        assert entry is not None
        item = session.get(CheckinItem, entry.item_id)
        assert item is not None
        audited = session.scalar(select(func.count(AuditEntry.id)).where(
            AuditEntry.subject_type == "checkin_item", AuditEntry.subject_id == item.id,
            AuditEntry.action.like("checkin.item\\_%", escape="\\"), AuditEntry.action != "checkin.item_added",
        ))  # fmt: skip
        return entry.outcome, item.closed_at is not None, audited or 0


def test_a_double_click_on_close_applies_once_and_the_second_is_told(session_factory: sessionmaker[Session]) -> None:
    for entry_id in posted_entries(session_factory):
        results = at_once(session_factory, click(entry_id, Outcome.CLOSED, PM), click(entry_id, Outcome.CLOSED, RSC))
        applied = [r for r in results if r == Outcome.CLOSED]
        told = [r for r in results if isinstance(r, checkins.AlreadyDone)]
        assert (len(applied), len(told)) == (1, 1), results
        assert settled(session_factory, entry_id) == (Outcome.CLOSED, True, 1)


def test_close_and_discussed_at_once_leave_the_entry_and_its_item_agreeing(
    session_factory: sessionmaker[Session],
) -> None:
    for entry_id in posted_entries(session_factory):
        results = at_once(session_factory, click(entry_id, Outcome.CLOSED, PM), click(entry_id, Outcome.DISCUSSED, RSC))
        applied = [r for r in results if not isinstance(r, checkins.AlreadyDone)]
        assert applied, results  # someone's click always lands
        outcome, closed, audited = settled(session_factory, entry_id)
        assert closed == (outcome == Outcome.CLOSED) == (Outcome.CLOSED in applied), results
        assert audited == len(applied), results
