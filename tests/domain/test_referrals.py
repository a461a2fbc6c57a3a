"""Referrals: what a case manager may type, what making one does, and how each answer is recorded once.

The rule the unit follows: a referral makes an open unit referral-pending; denying the last referral still in
play opens it again; a move-in fills it; a unit that leaves the board denies whatever referrals it still had.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.domain import referral_deadlines, referrals, vacancies
from bot.domain.actors import Actor
from bot.domain.statuses import ReferralStatus, VacancyStatus
from bot.errors import FormErrors
from storage import reminders
from storage.models import AuditEntry, OutboxMessage, Referral
from tests.conftest import DEADLINES
from tests.domain.listing import BOARD, CASE_MANAGER, PM, SHARED, log_open_unit, unit_at

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # a Monday, 9:00 in Chicago
TODAY = date(2026, 11, 23)
OTHER_CASE_MANAGER = Actor("U0CASEMGR2", "T0PORCH")
DRAFT = referrals.ReferralDraft(client_code="HMIS-0153", household_size="3", subsidy="hcv", roi="yes", note="")
FACTS = referrals.check_referral(DRAFT, today=TODAY)
UNIT = unit_at("2026-12-01")


def errors_for(**changes: str) -> dict[str, str]:
    with pytest.raises(FormErrors) as caught:
        referrals.check_referral(referrals.ReferralDraft(**{**DRAFT.__dict__, **changes}), today=TODAY)
    return caught.value.errors


def test_a_good_referral_is_cleaned() -> None:
    facts = referrals.check_referral(
        referrals.ReferralDraft(client_code=" HMIS-0153\u200b ", household_size=" 3 ", subsidy="", roi="no"),
        today=TODAY,
    )
    assert facts == referrals.ReferralFacts("HMIS-0153", 3, "none", False, "")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"client_code": "Maria Lopez"}, "client_code"),  # a name, not a code
        ({"client_code": "123-45-6789"}, "client_code"),  # an SSN
        ({"client_code": ""}, "client_code"),
        ({"household_size": "0"}, "household_size"),
        ({"household_size": "16"}, "household_size"),
        ({"household_size": "three"}, "household_size"),
        ({"subsidy": "bogus"}, "subsidy"),
        ({"roi": ""}, "roi"),
        ({"note": "x" * 501}, "note"),
        ({"note": "call her at 312-555-0188"}, "note"),  # contact details in a note
    ],
)
def test_each_bad_field_is_named(changes: dict[str, str], field: str) -> None:
    assert list(errors_for(**changes)) == [field]


def test_every_bad_field_is_reported_at_once() -> None:
    assert set(errors_for(household_size="", roi="maybe")) == {"household_size", "roi"}


def test_a_denial_note_is_checked_like_a_referral_note() -> None:
    assert referrals.check_denial_note("  over the income limit ", today=TODAY) == "over the income limit"
    with pytest.raises(FormErrors) as caught:
        referrals.check_denial_note("x" * 501, today=TODAY)
    assert list(caught.value.errors) == ["note"]


# -- making and answering referrals -------------------------------------------------------------------------------


@pytest.fixture
def unit(session_factory: sessionmaker[Session]) -> int:
    """An open unit at a listed property whose card shows in the board and the property's shared channel."""
    with session_factory.begin() as session:
        return log_open_unit(session, UNIT, now=NOW)


def refer(session_factory: sessionmaker[Session], vacancy_id: int, actor: Actor = CASE_MANAGER) -> int:
    with session_factory.begin() as session:
        made = referrals.refer(
            session, vacancy_id, facts=FACTS, actor=actor, now=NOW, board_channel=BOARD, deadlines=DEADLINES
        )
        return made.id


def decide(
    session_factory: sessionmaker[Session], referral_id: int, outcome: ReferralStatus, *, reason: str | None = None,
    note: str = "", move_in_on: date | None = None,
) -> None:  # fmt: skip
    with session_factory.begin() as session:
        referrals.decide(
            session, referral_id, outcome=outcome, actor=PM, now=NOW, board_channel=BOARD, reason=reason, note=note,
            move_in_on=move_in_on,
        )  # fmt: skip


def unit_status(session_factory: sessionmaker[Session], vacancy_id: int) -> str:
    with session_factory() as session:
        return vacancies.get_vacancy(session, vacancy_id).status


def referral_status(session_factory: sessionmaker[Session], referral_id: int) -> str:
    with session_factory() as session:
        return referrals.get_referral(session, referral_id).status


def kinds_queued(session_factory: sessionmaker[Session], after_id: int = 0) -> list[tuple[str, str]]:
    with session_factory() as session:
        rows = session.scalars(select(OutboxMessage).where(OutboxMessage.id > after_id).order_by(OutboxMessage.id))
        return [(row.kind, row.channel) for row in rows]


def last_row(session_factory: sessionmaker[Session]) -> int:
    with session_factory() as session:
        return max(session.scalars(select(OutboxMessage.id)), default=0)


def open_reminders(session_factory: sessionmaker[Session], referral_id: int) -> list[str]:
    with session_factory() as session:
        found = reminders.of_subject(session, subject_type=referral_deadlines.SUBJECT, subject_id=referral_id)
        return sorted(r.kind for r in found if r.done_at is None)


def test_a_referral_makes_the_unit_pending_asks_in_each_cards_thread_and_starts_its_deadlines(
    session_factory: sessionmaker[Session], unit: int
) -> None:
    before = last_row(session_factory)
    referral_id = refer(session_factory, unit)
    assert referral_status(session_factory, referral_id) == ReferralStatus.PENDING
    assert unit_status(session_factory, unit) == VacancyStatus.PENDING
    queued = kinds_queued(session_factory, before)
    assert (referrals.Kind.NOTICE, BOARD) in queued and (referrals.Kind.NOTICE, SHARED) in queued
    assert (vacancies.Kind.CARD_POST, BOARD) in queued  # the card now says a referral is pending
    assert open_reminders(session_factory, referral_id) == sorted(referral_deadlines.Due)


def test_the_referral_keeps_the_client_code_out_of_the_audit(session_factory: sessionmaker[Session], unit: int) -> None:
    refer(session_factory, unit)
    with session_factory() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "referral.made")).one()
        assert "HMIS-0153" not in str(entry.detail)


def test_a_unit_off_the_board_takes_no_referral(session_factory: sessionmaker[Session], unit: int) -> None:
    with session_factory.begin() as session:
        vacancies.change_status(
            session, unit, allowed_from=vacancies.LIVE, to=VacancyStatus.WITHDRAWN, actor=PM, now=NOW,
            board_channel=BOARD, event=vacancies.Event.WITHDRAWN,
        )  # fmt: skip
    with pytest.raises(vacancies.AlreadyDone, match="withdrawn"):
        refer(session_factory, unit)


def test_an_answer_is_recorded_once_and_the_second_click_is_told_who_answered(
    session_factory: sessionmaker[Session], unit: int
) -> None:
    referral_id = refer(session_factory, unit)
    decide(session_factory, referral_id, ReferralStatus.ACCEPTED)
    with pytest.raises(vacancies.AlreadyDone, match=f"already accepted by <@{PM.user_id}>"):
        decide(session_factory, referral_id, ReferralStatus.ACCEPTED)
    assert unit_status(session_factory, unit) == VacancyStatus.PENDING  # accepted is not moved in
    assert open_reminders(session_factory, referral_id) == []  # answered: nobody is reminded


def test_every_answer_tells_the_case_manager_by_dm(session_factory: sessionmaker[Session], unit: int) -> None:
    referral_id = refer(session_factory, unit)
    before = last_row(session_factory)
    decide(session_factory, referral_id, ReferralStatus.ACCEPTED)
    assert (vacancies.Kind.REFERRAL_OUTCOME, CASE_MANAGER.user_id) in kinds_queued(session_factory, before)


def test_a_denial_needs_a_reason(session_factory: sessionmaker[Session], unit: int) -> None:
    referral_id = refer(session_factory, unit)
    with pytest.raises(FormErrors) as caught:
        decide(session_factory, referral_id, ReferralStatus.DENIED, reason="because")
    assert list(caught.value.errors) == ["reason"]
    assert referral_status(session_factory, referral_id) == ReferralStatus.PENDING


def test_denying_the_last_referral_in_play_reopens_the_unit(session_factory: sessionmaker[Session], unit: int) -> None:
    referral_id = refer(session_factory, unit)
    decide(session_factory, referral_id, ReferralStatus.DENIED, reason="income", note="over the limit")
    assert unit_status(session_factory, unit) == VacancyStatus.OPEN
    with session_factory() as session:
        denied = referrals.get_referral(session, referral_id)
        assert (denied.denial_reason, denied.denial_note, denied.decided_by) == ("income", "over the limit", PM.user_id)


def test_denying_one_of_two_keeps_the_unit_pending_for_the_other(
    session_factory: sessionmaker[Session], unit: int
) -> None:
    first, second = refer(session_factory, unit), refer(session_factory, unit, OTHER_CASE_MANAGER)
    decide(session_factory, second, ReferralStatus.ACCEPTED)
    decide(session_factory, first, ReferralStatus.DENIED, reason="credit")
    assert unit_status(session_factory, unit) == VacancyStatus.PENDING  # the accepted one is still in play
    decide(session_factory, second, ReferralStatus.DENIED, reason="client_declined")  # accepted, then denied
    assert unit_status(session_factory, unit) == VacancyStatus.OPEN


def test_a_move_in_fills_the_unit_and_celebrates_it_on_the_board(
    session_factory: sessionmaker[Session], unit: int
) -> None:
    referral_id = refer(session_factory, unit)
    before = last_row(session_factory)
    decide(session_factory, referral_id, ReferralStatus.MOVED_IN, move_in_on=date(2026, 12, 1))
    assert unit_status(session_factory, unit) == VacancyStatus.FILLED
    assert (referrals.Kind.CELEBRATE, BOARD) in kinds_queued(session_factory, before)
    with pytest.raises(vacancies.AlreadyDone, match="already moved in"):
        decide(session_factory, referral_id, ReferralStatus.DENIED, reason="other")


def test_a_unit_leaving_the_board_denies_its_open_referrals_and_stops_their_deadlines(
    session_factory: sessionmaker[Session], unit: int
) -> None:
    pending, accepted = refer(session_factory, unit), refer(session_factory, unit, OTHER_CASE_MANAGER)
    decide(session_factory, accepted, ReferralStatus.ACCEPTED)
    with session_factory.begin() as session:
        vacancies.change_status(
            session, unit, allowed_from=vacancies.LIVE, to=VacancyStatus.WITHDRAWN, actor=PM, now=NOW,
            board_channel=BOARD, event=vacancies.Event.WITHDRAWN,
        )  # fmt: skip
    with session_factory() as session:
        closed = session.scalars(select(Referral).where(Referral.vacancy_id == unit)).all()
        assert {(r.status, r.denial_reason) for r in closed} == {(ReferralStatus.DENIED, "unit_unavailable")}
    assert open_reminders(session_factory, pending) == []
