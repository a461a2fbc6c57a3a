"""A unit and its referrals agree in every interleaving of the people acting on them at once.

Each race runs many times, in real threads with separate sessions lined up by a barrier: on PostgreSQL they
really interleave (SQLite's single writer serialises them, so there they only check the outcomes). Whatever
order the database picks, afterwards:
- a unit that has left the board has no pending or accepted referral;
- a unit with a pending or accepted referral is "referral pending", and a "referral pending" unit has one;
- an open unit has none.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.domain import referrals, vacancies
from bot.domain.actors import Actor
from bot.domain.statuses import IN_PLAY, ReferralStatus, VacancyStatus
from bot.errors import UserError
from storage.models import Referral, Vacancy
from tests.conftest import DEADLINES

TRIES = 30
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
BOARD = "C0VACANCIES"
CASE_MANAGER = Actor("U0CASEMGR", "T0PORCH")
COORDINATOR = Actor("U0COORD", "T0PORCH")
OPEN_REFERRALS = IN_PLAY
FACTS = vacancies.VacancyFacts(
    property_id=None, property_name="Maple Court", unit="12B", bedrooms=2, rent_cents=125_000,
    available_on=date(2026, 12, 1), contact="Leasing office 555-0100",
)  # fmt: skip
CODE = referrals.ReferralFacts("CM-20431", 3, "hcv", True, "")

Step = Callable[[Session], Any]


def new_unit(session_factory: sessionmaker[Session]) -> int:
    with session_factory.begin() as session:
        vacancy = vacancies.log_vacancy(
            session, facts=FACTS, actor=CASE_MANAGER, now=NOW, board_channel=BOARD, reply_channel=None
        )
        return vacancy.id


def refer(vacancy_id: int) -> Step:
    return lambda session: (
        referrals.refer(
            session, vacancy_id, facts=CODE, actor=CASE_MANAGER, now=NOW, board_channel=BOARD, deadlines=DEADLINES
        ).id
    )


def withdraw(vacancy_id: int) -> Step:
    return lambda session: vacancies.change_status(
        session, vacancy_id, allowed_from=vacancies.LIVE, to=VacancyStatus.WITHDRAWN, actor=COORDINATOR, now=NOW,
        board_channel=BOARD, event=vacancies.Event.WITHDRAWN,
    )  # fmt: skip


def decide(referral_id: int, outcome: ReferralStatus) -> Step:
    return lambda session: referrals.decide(
        session, referral_id, outcome=outcome, actor=COORDINATOR, now=NOW, board_channel=BOARD,
        reason="income" if outcome == ReferralStatus.DENIED else None,
        move_in_on=date(2026, 12, 2) if outcome == ReferralStatus.MOVED_IN else None,
    )  # fmt: skip


def at_once(session_factory: sessionmaker[Session], *steps: Step) -> list[Any]:
    """Run each step in its own thread and transaction, all released together; what each returned or the
    UserError it was told (the loser of a race is told, never left with a half-done change)."""
    barrier = threading.Barrier(len(steps))

    def run(step: Step) -> Any:
        barrier.wait()
        try:
            with session_factory.begin() as session:
                return step(session)
        except UserError as told:
            return told

    with ThreadPoolExecutor(len(steps)) as pool:
        return list(pool.map(run, steps))


def assert_agree(session_factory: sessionmaker[Session], vacancy_id: int) -> tuple[str, list[str]]:
    """The unit's status and its referrals' statuses, once checked to agree."""
    with session_factory() as session:
        status = session.scalars(select(Vacancy.status).where(Vacancy.id == vacancy_id)).one()
        statuses = list(session.scalars(select(Referral.status).where(Referral.vacancy_id == vacancy_id)))
    open_ones = [s for s in statuses if s in OPEN_REFERRALS]
    if status not in vacancies.LIVE:
        assert not open_ones, f"V-{vacancy_id} is {status} but has referrals {statuses}"
    elif open_ones:
        assert status == VacancyStatus.PENDING, f"V-{vacancy_id} is {status} with referrals {statuses}"
    else:
        assert status == VacancyStatus.OPEN, f"V-{vacancy_id} is {status} with no open referral ({statuses})"
    return status, statuses


def test_a_referral_made_while_the_unit_is_withdrawn(session_factory: sessionmaker[Session]) -> None:
    for _ in range(TRIES):
        vacancy_id = new_unit(session_factory)
        referred, withdrawn = at_once(session_factory, refer(vacancy_id), withdraw(vacancy_id))
        status, statuses = assert_agree(session_factory, vacancy_id)
        assert status == VacancyStatus.WITHDRAWN and not isinstance(withdrawn, UserError)
        if isinstance(referred, UserError):  # the withdrawal came first: the case manager is told at once
            assert statuses == [] and "withdrawn" in referred.message
        else:  # the referral came first: the withdrawal closed it (and its case manager is told by DM)
            assert statuses == [ReferralStatus.DENIED]


def test_a_denial_racing_a_new_referral(session_factory: sessionmaker[Session]) -> None:
    for _ in range(TRIES):
        vacancy_id = new_unit(session_factory)
        with session_factory.begin() as session:
            first = refer(vacancy_id)(session)
        denied, second = at_once(session_factory, decide(first, ReferralStatus.DENIED), refer(vacancy_id))
        assert not isinstance(denied, UserError) and not isinstance(second, UserError)
        status, statuses = assert_agree(session_factory, vacancy_id)
        assert (status, sorted(statuses)) == (VacancyStatus.PENDING, [ReferralStatus.DENIED, ReferralStatus.PENDING])


def test_two_referrals_denied_at_once_reopen_the_unit(session_factory: sessionmaker[Session]) -> None:
    for _ in range(TRIES):
        vacancy_id = new_unit(session_factory)
        with session_factory.begin() as session:
            ids = [refer(vacancy_id)(session), refer(vacancy_id)(session)]
        at_once(session_factory, *(decide(r, ReferralStatus.DENIED) for r in ids))
        assert assert_agree(session_factory, vacancy_id)[0] == VacancyStatus.OPEN


def test_an_acceptance_or_a_move_in_racing_a_withdrawal(session_factory: sessionmaker[Session]) -> None:
    for attempt in range(TRIES):
        vacancy_id = new_unit(session_factory)
        with session_factory.begin() as session:
            referral_id = refer(vacancy_id)(session)
        outcome = (ReferralStatus.ACCEPTED, ReferralStatus.MOVED_IN)[attempt % 2]
        decided, withdrawn = at_once(session_factory, decide(referral_id, outcome), withdraw(vacancy_id))
        status, statuses = assert_agree(session_factory, vacancy_id)
        if isinstance(decided, UserError):  # the withdrawal came first and closed the referral
            assert (status, statuses) == (VacancyStatus.WITHDRAWN, [ReferralStatus.DENIED])
            assert "already denied" in decided.message
        elif outcome == ReferralStatus.ACCEPTED:  # accepted, then withdrawn: the withdrawal closes it all the same
            assert (status, statuses) == (VacancyStatus.WITHDRAWN, [ReferralStatus.DENIED])
        else:  # moved in first: the unit is filled and the withdrawal is told so
            assert (status, statuses) == (VacancyStatus.FILLED, [ReferralStatus.MOVED_IN])
            assert isinstance(withdrawn, UserError) and "already marked filled" in withdrawn.message


def update(vacancy_id: int, *, rent_cents: int, seen_version: int) -> Step:
    facts = vacancies.VacancyFacts(**{**FACTS.__dict__, "rent_cents": rent_cents})
    return lambda session: (
        vacancies.update_facts(
            session, vacancy_id, facts=facts, actor=COORDINATOR, now=NOW, board_channel=BOARD, seen_version=seen_version
        ).rent_cents
    )


def test_two_updates_from_the_same_form_version_apply_once(session_factory: sessionmaker[Session]) -> None:
    for _ in range(TRIES):
        vacancy_id = new_unit(session_factory)
        with session_factory() as session:
            seen = vacancies.get_vacancy(session, vacancy_id).version
        results = at_once(
            session_factory,
            update(vacancy_id, rent_cents=119_500, seen_version=seen),
            update(vacancy_id, rent_cents=130_000, seen_version=seen),
        )
        [kept] = [r for r in results if not isinstance(r, UserError)]
        [refused] = [r for r in results if isinstance(r, vacancies.Stale)]
        assert f"<@{COORDINATOR.user_id}> changed V-{vacancy_id}" in refused.message
        with session_factory() as session:
            vacancy = vacancies.get_vacancy(session, vacancy_id)
            assert (vacancy.rent_cents, vacancy.version) == (kept, seen + 1)
