"""Stale listings: ask the property's managers to re-confirm, then expire what nobody confirmed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.domain import vacancies
from bot.domain.actors import SYSTEM_ACTOR
from bot.domain.statuses import VacancyStatus
from storage import outbox
from storage.models import Vacancy


@dataclass(frozen=True)
class StaleReport:
    asked: list[int]
    expired: list[int]


def check_stale(
    session: Session, *, now: datetime, stale_days: int, expire_days: int, board_channel: str
) -> StaleReport:
    """Ask about listings unconfirmed for `stale_days`; expire those unconfirmed for `expire_days` after an ask."""
    ask_before = now - timedelta(days=stale_days)
    expire_before = now - timedelta(days=expire_days)
    # The managers always get time to answer an ask: at least half the usual window (the days between the ask and
    # the expiry), even when the ask itself came late because the daily check did not run for a while.
    asked_before = now - timedelta(days=(expire_days - stale_days) / 2)
    asked: list[int] = []
    for vacancy in session.scalars(
        select(Vacancy).where(
            Vacancy.status.in_(vacancies.LIVE),
            Vacancy.last_confirmed_at <= ask_before,
            Vacancy.confirm_asked_at.is_(None),
        )
    ):
        claimed = session.execute(
            update(Vacancy)
            .where(Vacancy.id == vacancy.id, Vacancy.confirm_asked_at.is_(None))
            .values(confirm_asked_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            continue
        asked.append(vacancy.id)
        for channel in vacancies.card_channels(session, vacancy, board_channel):
            outbox.enqueue(session, kind=vacancies.Kind.CONFIRM_ASK, channel=channel, subject_id=vacancy.id, now=now)
    expired: list[int] = []
    for vacancy_id in session.scalars(
        select(Vacancy.id).where(
            Vacancy.status.in_(vacancies.LIVE),
            Vacancy.last_confirmed_at <= expire_before,
            Vacancy.confirm_asked_at.is_not(None),
            Vacancy.confirm_asked_at <= asked_before,
        )
    ).all():
        try:
            vacancies.change_status(
                session, vacancy_id, allowed_from=vacancies.LIVE, to=VacancyStatus.EXPIRED, actor=SYSTEM_ACTOR,
                now=now, board_channel=board_channel, event=vacancies.Event.EXPIRED,
            )  # fmt: skip
            expired.append(vacancy_id)
        except vacancies.AlreadyDone:
            continue
    return StaleReport(asked=asked, expired=expired)
