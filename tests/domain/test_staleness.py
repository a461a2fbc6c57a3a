"""Stale listings: a listing nobody confirmed for the stale days is asked about once, in each card's thread; one
still unconfirmed at the expiry days after an ask leaves the board (and takes its referrals with it)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.domain import referrals, staleness, vacancies
from bot.domain.statuses import ReferralStatus, VacancyStatus
from storage.models import OutboxMessage
from tests.conftest import DEADLINES
from tests.domain.listing import BOARD, CASE_MANAGER, PM, SHARED, log_open_unit, unit_at

LOGGED = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
STALE_DAYS, EXPIRE_DAYS = 14, 21
UNIT = unit_at("2026-11-20")


@pytest.fixture
def unit(session_factory: sessionmaker[Session]) -> int:
    with session_factory.begin() as session:
        return log_open_unit(session, UNIT, now=LOGGED)


def check(session_factory: sessionmaker[Session], days: int) -> staleness.StaleReport:
    with session_factory.begin() as session:
        return staleness.check_stale(
            session, now=LOGGED + timedelta(days=days), stale_days=STALE_DAYS, expire_days=EXPIRE_DAYS,
            board_channel=BOARD,
        )  # fmt: skip


def asks(session_factory: sessionmaker[Session]) -> list[str]:
    with session_factory() as session:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == vacancies.Kind.CONFIRM_ASK))
        return sorted(row.channel for row in rows)


def status(session_factory: sessionmaker[Session], vacancy_id: int) -> str:
    with session_factory() as session:
        return vacancies.get_vacancy(session, vacancy_id).status


def test_a_recently_confirmed_listing_is_left_alone(session_factory: sessionmaker[Session], unit: int) -> None:
    assert check(session_factory, STALE_DAYS - 1) == staleness.StaleReport(asked=[], expired=[])
    assert asks(session_factory) == []


def test_a_stale_listing_is_asked_about_once_in_each_cards_thread(
    session_factory: sessionmaker[Session], unit: int
) -> None:
    assert check(session_factory, STALE_DAYS).asked == [unit]
    assert asks(session_factory) == sorted([BOARD, SHARED])
    assert check(session_factory, STALE_DAYS + 1).asked == []  # asked already: not again the next day
    assert asks(session_factory) == sorted([BOARD, SHARED])
    assert status(session_factory, unit) == VacancyStatus.OPEN


def test_a_listing_still_unconfirmed_after_the_ask_expires(session_factory: sessionmaker[Session], unit: int) -> None:
    check(session_factory, STALE_DAYS)
    assert check(session_factory, EXPIRE_DAYS - 1).expired == []
    assert check(session_factory, EXPIRE_DAYS).expired == [unit]
    assert status(session_factory, unit) == VacancyStatus.EXPIRED
    assert check(session_factory, EXPIRE_DAYS + 1) == staleness.StaleReport(asked=[], expired=[])  # off the board


def test_a_listing_never_asked_about_does_not_expire(session_factory: sessionmaker[Session], unit: int) -> None:
    # The daily check did not run on the stale day (say, Porchlight was down): the managers are asked first, and get
    # at least half the usual window to answer before it expires.
    assert check(session_factory, EXPIRE_DAYS) == staleness.StaleReport(asked=[unit], expired=[])
    assert status(session_factory, unit) == VacancyStatus.OPEN
    half = (EXPIRE_DAYS - STALE_DAYS) // 2
    assert check(session_factory, EXPIRE_DAYS + half) == staleness.StaleReport(asked=[], expired=[])
    assert check(session_factory, EXPIRE_DAYS + half + 1) == staleness.StaleReport(asked=[], expired=[unit])


def test_a_confirmation_after_the_ask_keeps_it_on_the_board(session_factory: sessionmaker[Session], unit: int) -> None:
    check(session_factory, STALE_DAYS)
    with session_factory.begin() as session:
        vacancies.confirm_available(
            session, unit, actor=PM, now=LOGGED + timedelta(days=STALE_DAYS + 1), board_channel=BOARD
        )
    assert check(session_factory, EXPIRE_DAYS) == staleness.StaleReport(asked=[], expired=[])
    assert status(session_factory, unit) == VacancyStatus.OPEN


def test_an_expired_listing_denies_its_pending_referral(session_factory: sessionmaker[Session], unit: int) -> None:
    with session_factory.begin() as session:
        facts = referrals.check_referral(
            referrals.ReferralDraft(client_code="HMIS-0153", household_size="2", roi="no"), today=date(2026, 11, 2)
        )
        referral_id = referrals.refer(
            session, unit, facts=facts, actor=CASE_MANAGER, now=LOGGED, board_channel=BOARD, deadlines=DEADLINES
        ).id
    check(session_factory, STALE_DAYS)
    check(session_factory, EXPIRE_DAYS)
    with session_factory() as session:
        referral = referrals.get_referral(session, referral_id)
        assert (referral.status, referral.denial_reason) == (ReferralStatus.DENIED, "unit_unavailable")
