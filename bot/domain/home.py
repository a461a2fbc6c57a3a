"""What the App Home tab shows a person: the board, their referrals, and (for managers) their listings.

Our own people see the whole board; a partner sees their own company's listings only; an outsider sees nothing
(`bot.domain.access` says who is which).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain import access, board
from bot.domain.actors import Actor
from bot.domain.vacancies import LIVE
from storage.models import Referral, Vacancy

SHOWN = 10
# What the tab is about: the whole board, the viewer's company's listings, or nothing at all.
BOARD, COMPANY, NOTHING = "board", "company", "nothing"


@dataclass(frozen=True)
class HomeView:
    summary: board.BoardSummary
    soonest: list[tuple[Vacancy, str]]
    referrals: list[tuple[Referral, Vacancy]]
    listings: list[Vacancy]
    scope: str = BOARD


def home_for(session: Session, actor: Actor, reach: access.Reach) -> HomeView:
    """Everything the viewer's Home tab shows, in a fixed number of queries."""
    if reach.nothing:
        return HomeView(board.BoardSummary(0, 0), [], [], [], scope=NOTHING)
    listings = session.scalars(
        select(Vacancy).where(Vacancy.property_id.in_(access.managed_properties(actor)), Vacancy.status.in_(LIVE))
        .order_by(Vacancy.available_on).limit(SHOWN)
    ).all()  # fmt: skip
    if not reach.whole_board:
        # A partner's board is their own listings: shown once, under "Your listings". Partners cannot refer.
        return HomeView(board.summary(session, reach=reach), [], [], list(listings), scope=COMPANY)
    soonest, _ = board.find(session, board.Filters())
    mine = session.execute(
        select(Referral, Vacancy).join(Vacancy, Vacancy.id == Referral.vacancy_id)
        .where(Referral.created_by == actor.user_id).order_by(Referral.id.desc()).limit(SHOWN)
    ).all()  # fmt: skip
    return HomeView(board.summary(session), soonest[:SHOWN], [(r, v) for r, v in mine], list(listings))
