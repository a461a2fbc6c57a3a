"""Properties, kept by coordinators: what the form accepts, how saving creates or updates by name, and what the
form is prefilled with."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.domain import properties
from bot.domain.actors import Actor
from bot.errors import FormErrors
from storage.models import AuditEntry, Partner, Property

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
COORDINATOR = Actor("U0COORD", None)
DRAFT = properties.PropertyDraft(
    name=" Maple Court ", address="12 Maple Ave", area="North", company="Maple Management", company_team="t0maple",
    managers=("W0MAPLE", "W0MAPLE2", "W0MAPLE"), shared_channel="C0MAPLE",
)  # fmt: skip


def errors_for(**changes: object) -> dict[str, str]:
    with pytest.raises(FormErrors) as caught:
        properties.check_property(properties.PropertyDraft(**{**DRAFT.__dict__, **changes}))
    return caught.value.errors


def test_a_good_draft_is_cleaned() -> None:
    checked = properties.check_property(DRAFT)
    assert (checked.name, checked.company_team) == ("Maple Court", "T0MAPLE")
    assert checked.managers == ("W0MAPLE", "W0MAPLE2")  # each once, in the order chosen


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"address": "x" * 201}, "address"),
        ({"area": "x" * 61}, "area"),
        ({"company_team": "maple"}, "company_team"),  # not a Slack team id
        ({"company": ""}, "company"),  # a team id needs the company it belongs to
        ({"name": "Maria Lopez's apartment, DOB 04/12/1961"}, "name"),  # partners see it: places, not people
    ],
)
def test_each_bad_field_is_named(changes: dict[str, object], field: str) -> None:
    assert field in errors_for(**changes)


def save(session_factory: sessionmaker[Session], draft: properties.PropertyDraft = DRAFT) -> int:
    with session_factory.begin() as session:
        return properties.save_property(session, properties.check_property(draft), actor=COORDINATOR, now=NOW).id


def test_saving_creates_the_property_its_company_and_its_managers(session_factory: sessionmaker[Session]) -> None:
    property_id = save(session_factory)
    with session_factory() as session:
        found = properties.listing(session, "maple court")
        assert found is not None and found.property.id == property_id
        assert found.company is not None and (found.company.name, found.company.slack_team_id) == (
            "Maple Management",
            "T0MAPLE",
        )
        assert found.managers == ("W0MAPLE", "W0MAPLE2")
        assert found.property.shared_channel == "C0MAPLE"
        entry = session.scalars(select(AuditEntry).where(AuditEntry.subject_type == "property")).one()
        assert (entry.action, entry.actor) == ("property.created", COORDINATOR.user_id)


def test_saving_the_same_name_again_updates_it_and_replaces_its_managers(
    session_factory: sessionmaker[Session],
) -> None:
    first = save(session_factory)
    again = save(
        session_factory, properties.PropertyDraft(name="MAPLE COURT", company="Maple Management", managers=("W0NEW",))
    )
    assert again == first
    with session_factory() as session:
        found = properties.listing(session, "Maple Court")
        assert found is not None and found.managers == ("W0NEW",)
        assert (found.property.name, found.property.shared_channel) == ("MAPLE COURT", None)
        assert len(session.scalars(select(Property)).all()) == 1
        assert len(session.scalars(select(Partner)).all()) == 1  # the company is found by name, not made twice
        assert session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()[-1] == "property.updated"


def test_a_slack_team_belongs_to_one_company(session_factory: sessionmaker[Session]) -> None:
    save(session_factory)
    with pytest.raises(FormErrors) as caught:
        save(session_factory, properties.PropertyDraft(name="Oak Plaza", company="Oak Homes", company_team="T0MAPLE"))
    assert "Maple Management" in caught.value.errors["company_team"]
    with session_factory() as session:
        assert properties.listing(session, "Oak Plaza") is None  # nothing of the refused save is kept


def test_the_form_for_an_unknown_or_empty_name_adds_a_property(session_factory: sessionmaker[Session]) -> None:
    save(session_factory)
    with session_factory() as session:
        assert properties.listing(session, "Oak Plaza") is None
        assert properties.listing(session, "  ") is None


def test_the_listed_properties_are_offered_by_name(session_factory: sessionmaker[Session]) -> None:
    oak = save(session_factory, properties.PropertyDraft(name="Oak Plaza"))
    maple = save(session_factory)
    with session_factory() as session:
        assert properties.listed(session) == ((maple, "Maple Court"), (oak, "Oak Plaza"))
