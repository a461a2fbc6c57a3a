"""Checking and logging vacancies."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.domain import vacancies
from bot.domain.actors import Actor
from bot.errors import FormErrors
from storage.models import AuditEntry, OutboxMessage, Vacancy

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
DRAFT = vacancies.VacancyDraft(
    property_name=" Maple Court ", unit="12B", bedrooms="2", rent="1,250.50", available_on="2026-12-01",
    subsidies=("vash", "hcv"), accessibility=("step_free",), screening=(), contact="Office 555-0100",
)  # fmt: skip


def errors_for(**changes: object) -> dict[str, str]:
    with pytest.raises(FormErrors) as caught:
        vacancies.check_vacancy(vacancies.VacancyDraft(**{**DRAFT.__dict__, **changes}), today=TODAY)
    return caught.value.errors


def test_a_good_draft_is_cleaned_and_ordered() -> None:
    facts = vacancies.check_vacancy(DRAFT, today=TODAY)
    assert facts.property_name == "Maple Court"
    assert facts.rent_cents == 125_050
    assert facts.subsidies == ["hcv", "vash"]  # the form's order, not the click order
    assert facts.available_on == date(2026, 12, 1)


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"rent": "twelve hundred"}, "rent", "number"),
        ({"rent": "-5"}, "rent", "between"),
        ({"rent": "1250.555"}, "rent", "number"),
        ({"rent": "NaN"}, "rent", "number"),
        ({"rent": "1e9"}, "rent", "between"),
        ({"bedrooms": "11"}, "bedrooms", "between 0 and 10"),
        ({"bedrooms": "2.5"}, "bedrooms", "whole number"),
        ({"available_on": "2026-09-01"}, "available_on", "more than 30 days ago"),
        ({"available_on": "2028-01-01"}, "available_on", "more than a year"),
        ({"available_on": ""}, "available_on", "Pick"),
        ({"property_name": "  "}, "property_name", "Choose a property"),
        ({"contact": ""}, "contact", "Required"),
        ({"notes": "x" * 1001}, "notes", "Too long"),
        ({"unit": "x" * 31}, "unit", "Too long"),
        ({"subsidies": ("hcv", "bogus")}, "subsidies", "Unknown option"),
    ],
)
def test_each_bad_field_is_named(changes: dict[str, object], field: str, says: str) -> None:
    errors = errors_for(**changes)
    assert list(errors) == [field]
    assert says in errors[field]


def test_every_bad_field_is_reported_at_once() -> None:
    assert set(errors_for(rent="x", bedrooms="x", unit="")) == {"rent", "bedrooms", "unit"}


def test_studio_and_a_date_a_little_in_the_past_are_fine() -> None:
    facts = vacancies.check_vacancy(
        vacancies.VacancyDraft(**{**DRAFT.__dict__, "bedrooms": "Studio", "available_on": "2026-11-01"}),
        today=TODAY,
    )
    assert (facts.bedrooms, facts.available_on) == (0, date(2026, 11, 1))


def test_logging_stores_audits_and_queues_card_then_confirmation(session_factory: sessionmaker[Session]) -> None:
    facts = vacancies.check_vacancy(DRAFT, today=TODAY)
    with session_factory.begin() as session:
        vacancies.log_vacancy(
            session, facts=facts, actor=Actor("U0CASEMGR", "T0PORCH"), now=NOW, board_channel="C0VACANCIES",
            reply_channel="C0GENERAL",
        )  # fmt: skip
    with session_factory() as session:
        vacancy = session.scalars(select(Vacancy)).one()
        assert (vacancy.status, vacancy.created_by, vacancy.created_at) == ("open", "U0CASEMGR", NOW)
        entry = session.scalars(select(AuditEntry)).one()
        assert (entry.actor, entry.action, entry.subject_id, entry.at) == (
            "U0CASEMGR",
            "vacancy.logged",
            vacancy.id,
            NOW,
        )
        card, confirm = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert (card.kind, card.channel, card.subject_id) == (vacancies.Kind.CARD_POST, "C0VACANCIES", vacancy.id)
        assert (confirm.kind, confirm.channel, confirm.user) == (vacancies.Kind.CONFIRM, "C0GENERAL", "U0CASEMGR")
        assert confirm.after_id == card.id


def test_nothing_is_kept_when_the_transaction_fails(session_factory: sessionmaker[Session]) -> None:
    facts = vacancies.check_vacancy(DRAFT, today=TODAY)
    with pytest.raises(RuntimeError), session_factory.begin() as session:
        vacancies.log_vacancy(
            session, facts=facts, actor=Actor("U0CASEMGR", "T0PORCH"), now=NOW, board_channel="C0VACANCIES",
            reply_channel=None,
        )  # fmt: skip
        raise RuntimeError("crash before commit")
    with session_factory() as session:
        assert session.scalars(select(Vacancy)).all() == []
        assert session.scalars(select(OutboxMessage)).all() == []
