"""Contact noted from messages: each counted once however often Slack delivers it, and a property manager's reply
in a vacancy card's thread counts as confirming the unit is still available."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.domain import contacts, vacancies
from bot.domain.actors import Actor
from bot.domain.statuses import VacancyStatus
from storage import posted
from tests.domain.listing import BOARD, CASE_MANAGER, PM, SHARED, log_open_unit, unit_at

LOGGED = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
LATER = LOGGED + timedelta(days=10)
CHICAGO = ZoneInfo("America/Chicago")
CARD_TS = "1790000000.000100"
STRANGER = Actor("W0STRANGER", "T0STRANGER")
UNIT = unit_at("2026-11-20")


@pytest.fixture
def unit(session_factory: sessionmaker[Session]) -> int:
    """An open unit whose card has been posted in the property's shared channel."""
    with session_factory.begin() as session:
        vacancy_id = log_open_unit(session, UNIT, now=LOGGED)
        posted.record(session, vacancies.card_of(vacancy_id), channel=SHARED, ts=CARD_TS, now=LOGGED)
        return vacancy_id


def reply(by: Actor, *, event_id: str = "Ev1", thread_ts: str = CARD_TS, ts: str = "1790000500.000200") -> (
    contacts.SpokenMessage
):  # fmt: skip
    return contacts.SpokenMessage(
        event_id=event_id, channel=SHARED, ts=ts, thread_ts=thread_ts, user_id=by.user_id, team_id=by.team_id,
        at=LATER, kind=contacts.SignalKind.THREAD_REPLY,
    )  # fmt: skip


def note(session_factory: sessionmaker[Session], *messages: contacts.SpokenMessage) -> int:
    with session_factory.begin() as session:
        return contacts.note_messages(session, messages, zone=CHICAGO, board_channel=BOARD, home_team="T0PORCH")


def last_confirmed(session_factory: sessionmaker[Session], vacancy_id: int) -> datetime:
    with session_factory() as session:
        return vacancies.get_vacancy(session, vacancy_id).last_confirmed_at


def test_a_managers_reply_in_the_cards_thread_confirms_the_unit(
    session_factory: sessionmaker[Session], unit: int
) -> None:
    assert note(session_factory, reply(PM)) == 1
    assert last_confirmed(session_factory, unit) == LATER


def test_a_reply_from_someone_who_does_not_manage_the_property_confirms_nothing(
    session_factory: sessionmaker[Session], unit: int
) -> None:
    note(session_factory, reply(STRANGER), reply(CASE_MANAGER, event_id="Ev2", ts="1790000600.000300"))
    assert last_confirmed(session_factory, unit) == LOGGED


def test_a_reply_in_another_thread_confirms_nothing(session_factory: sessionmaker[Session], unit: int) -> None:
    note(session_factory, reply(PM, thread_ts="1790000000.999999"))
    assert last_confirmed(session_factory, unit) == LOGGED


def test_a_reply_under_a_unit_off_the_board_confirms_nothing(session_factory: sessionmaker[Session], unit: int) -> None:
    with session_factory.begin() as session:
        vacancies.change_status(
            session, unit, allowed_from=vacancies.LIVE, to=VacancyStatus.FILLED, actor=PM, now=LOGGED,
            board_channel=BOARD, event=vacancies.Event.FILLED,
        )  # fmt: skip
    note(session_factory, reply(PM))
    with session_factory() as session:
        vacancy = vacancies.get_vacancy(session, unit)
        assert (vacancy.status, vacancy.last_confirmed_at) == (VacancyStatus.FILLED, LOGGED)


def test_a_message_slack_delivers_again_is_counted_once(session_factory: sessionmaker[Session], unit: int) -> None:
    assert note(session_factory, reply(PM), reply(PM)) == 1  # a retry within the batch
    assert note(session_factory, reply(PM)) == 0  # a retry in a later batch
    assert note(session_factory, reply(PM, event_id="Ev9")) == 0  # the same message under a new event id


def test_without_a_vacancies_channel_replies_are_still_counted_but_confirm_nothing(
    session_factory: sessionmaker[Session], unit: int
) -> None:
    with session_factory.begin() as session:
        assert contacts.note_messages(session, [reply(PM)], zone=CHICAGO, board_channel=None) == 1
    assert last_confirmed(session_factory, unit) == LOGGED
