"""What the App Home tab shows a person: the board, their referrals, and (for managers) their listings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.domain import board
from bot.domain.actors import Actor
from bot.domain.vacancies import LIVE
from storage.models import Partner, Property, PropertyManager, Referral, Vacancy

SHOWN = 10


@dataclass(frozen=True)
class HomeView:
    summary: board.BoardSummary
    soonest: list[tuple[Vacancy, str]]
    referrals: list[tuple[Referral, Vacancy]]
    listings: list[Vacancy]


def home_for(session: Session, actor: Actor) -> HomeView:
    """Everything the viewer's Home tab shows, in a fixed number of queries."""
    soonest, _ = board.find(session, board.Filters())
    mine = session.execute(
        select(Referral, Vacancy).join(Vacancy, Vacancy.id == Referral.vacancy_id)
        .where(Referral.created_by == actor.user_id).order_by(Referral.id.desc()).limit(SHOWN)
    ).all()  # fmt: skip
    managed = (
        select(Property.id)
        .outerjoin(Partner, Partner.id == Property.partner_id)
        .outerjoin(PropertyManager, PropertyManager.property_id == Property.id)
        .where(or_(PropertyManager.user_id == actor.user_id, Partner.slack_team_id == (actor.team_id or "-")))
    )
    listings = session.scalars(
        select(Vacancy).where(Vacancy.property_id.in_(managed), Vacancy.status.in_(LIVE))
        .order_by(Vacancy.available_on).limit(SHOWN)
    ).all()  # fmt: skip
    return HomeView(board.summary(session), soonest[:SHOWN], [(r, v) for r, v in mine], list(listings))
