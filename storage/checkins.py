"""Check-in queries: what an agenda is compiled from, read for many meetings at once (one statement each), so
compiling the agendas of a whole tick costs the same number of reads for ten properties or a thousand.

Keyword-only; the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, literal, select, union_all
from sqlalchemy.orm import Session

from storage.models import Agenda, AgendaEntry, CheckinItem, Meeting, Property, Referral, Schedule, Vacancy

POSTED_STATUSES = ("posted", "summarised")


def due_meeting_ids(session: Session, *, job: str, now: datetime) -> list[int]:
    """The meetings whose agenda schedule is due now (what the tick is about to run)."""
    return list(
        session.scalars(
            select(Schedule.subject_id).where(
                Schedule.job == job, Schedule.active.is_(True), Schedule.next_due_at <= now
            )
        )
    )


def meetings_with_properties(
    session: Session, *, meeting_ids: Collection[int]
) -> list[tuple[Meeting, Property | None]]:
    rows = session.execute(
        select(Meeting, Property)
        .outerjoin(Property, Property.id == Meeting.property_id)
        .where(Meeting.id.in_(list(meeting_ids)))
    ).all()
    return [(meeting, prop) for meeting, prop in rows]


def open_items(session: Session, *, meeting_ids: Collection[int], before: datetime) -> Sequence[CheckinItem]:
    """Items not closed, raised before `before`, oldest first."""
    return session.scalars(
        select(CheckinItem)
        .where(
            CheckinItem.meeting_id.in_(list(meeting_ids)),
            CheckinItem.closed_at.is_(None),
            CheckinItem.created_at <= before,
        )
        .order_by(CheckinItem.created_at, CheckinItem.id)
    ).all()


def times_on_agendas(session: Session, *, meeting_ids: Collection[int]) -> dict[int, int]:
    """How many agendas each open item of these meetings has been on already."""
    rows = session.execute(
        select(AgendaEntry.item_id, func.count(AgendaEntry.id))
        .join(CheckinItem, CheckinItem.id == AgendaEntry.item_id)
        .where(CheckinItem.meeting_id.in_(list(meeting_ids)), CheckinItem.closed_at.is_(None))
        .group_by(AgendaEntry.item_id)
    ).all()
    return {item_id: count for item_id, count in rows}


def last_held(session: Session, *, meeting_ids: Collection[int]) -> dict[int, datetime]:
    """When each meeting's last agenda was posted for (its meeting time)."""
    rows = session.execute(
        select(Agenda.meeting_id, func.max(Agenda.held_at))
        .where(Agenda.meeting_id.in_(list(meeting_ids)), Agenda.status.in_(POSTED_STATUSES))
        .group_by(Agenda.meeting_id)
    ).all()
    return {meeting_id: held for meeting_id, held in rows if held is not None}


def agendas_in(session: Session, *, meeting_ids: Collection[int], statuses: Collection[str]) -> Sequence[Agenda]:
    return session.scalars(
        select(Agenda)
        .where(Agenda.meeting_id.in_(list(meeting_ids)), Agenda.status.in_(list(statuses)))
        .order_by(Agenda.held_at)
    ).all()


def board_moves(
    session: Session, *, property_ids: Collection[int], since: datetime, until: datetime
) -> list[dict[str, Any]]:
    """What the vacancy board says moved at these properties in (since, until], in one statement: referrals moved
    in, units listed (someone moved out), units filled or withdrawn without a move-in. Unit facts and numbers only.
    """
    ids = list(property_ids)
    if not ids:
        return []
    moved_in = (
        select(
            literal("moved_in").label("kind"),
            Vacancy.property_id,
            Vacancy.unit,
            Referral.id.label("ref"),
            Referral.decided_at.label("at"),
        )
        .join(Vacancy, Vacancy.id == Referral.vacancy_id)
        .where(
            Vacancy.property_id.in_(ids),
            Referral.status == "moved_in",
            Referral.decided_at > since,
            Referral.decided_at <= until,
        )
    )
    listed = select(
        literal("listed").label("kind"), Vacancy.property_id, Vacancy.unit, Vacancy.id.label("ref"),
        Vacancy.created_at.label("at"),
    ).where(Vacancy.property_id.in_(ids), Vacancy.created_at > since, Vacancy.created_at <= until)  # fmt: skip
    has_move_in = select(Referral.id).where(Referral.vacancy_id == Vacancy.id, Referral.status == "moved_in").exists()
    left = select(
        Vacancy.status.label("kind"), Vacancy.property_id, Vacancy.unit, Vacancy.id.label("ref"),
        Vacancy.updated_at.label("at"),
    ).where(
        Vacancy.property_id.in_(ids), Vacancy.status.in_(("filled", "withdrawn")), Vacancy.updated_at > since,
        Vacancy.updated_at <= until, ~has_move_in,
    )  # fmt: skip
    rows: list[Any] = list(session.execute(union_all(moved_in, listed, left)).all())
    found = [
        {"kind": kind, "property_id": prop, "unit": unit, "ref": ref, "at": at} for kind, prop, unit, ref, at in rows
    ]
    return sorted(found, key=lambda m: (m["at"], m["ref"]))
