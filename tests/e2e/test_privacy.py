"""Personal data typed into a form is refused under its field, and nothing is stored or posted (docs/privacy.md)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from sandbox import SlackSide, Workspace
from storage.models import OutboxMessage, Referral, Vacancy
from tests.conftest import CASE_MANAGER, PARTNER_PM, VACANCIES
from tests.e2e.board_helpers import SHARED, UNIT, add_property, cards, log_unit, only_view, thread
from tests.e2e.helpers import eventually


def count(running_bot: Any, model: Any) -> int:
    with running_bot.deps.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_residents_name_and_phone_in_a_vacancys_notes_are_refused_inline_and_nothing_is_posted(
    slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    slack.slash_command(user=CASE_MANAGER, channel=VACANCIES, command="/vacancy")
    form = only_view(workspace, CASE_MANAGER)
    unit = {name: value for name, value in UNIT.items() if name != "property_id"}  # no property is listed yet
    values = {
        **unit,
        "property_name": "Maple Court",
        "notes": "Ask for Maria Lopez, she can be reached at 555-123-4567",
    }

    result = slack.submit_view(form, user=CASE_MANAGER, values=values)

    assert not result.closed
    assert list(result.errors) == ["notes"]
    assert "a person's name" in result.errors["notes"]
    assert "Maria" not in result.errors["notes"]  # the message does not repeat what was typed
    assert count(running_bot, Vacancy) == 0
    assert count(running_bot, OutboxMessage) == 0
    assert workspace.messages(VACANCIES) == []

    # The leasing office's own number is fine where it belongs; the person fixes the notes and submits again.
    values.update(notes="Near the 12 bus", contact="Leasing office (555) 010-0199")
    assert slack.submit_view(form, user=CASE_MANAGER, values=values).closed
    card = eventually(lambda: cards(workspace, VACANCIES), what="the card on the board")[0]
    assert "(555) 010-0199" in str(card.blocks)


def test_the_update_form_refuses_a_phone_number_in_the_notes(
    slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    add_property(slack, workspace)
    log_unit(slack, workspace)
    shared = eventually(lambda: cards(workspace, SHARED), what="the shared card")[0]
    slack.click(user=PARTNER_PM, channel=SHARED, message_ts=shared.ts, action_id="vacancy_update")
    form = only_view(workspace, PARTNER_PM)
    values = {
        "unit": "12B", "bedrooms": "2", "rent": "1250", "available_on": "2026-12-01", "subsidies": ["hcv"],
        "accessibility": ["step_free"], "screening": [], "screening_notes": "", "contact": "555-0100",
        "notes": "tenant John Smith moving out, his cell +44 20 7946 0958",
    }  # fmt: skip

    result = slack.submit_view(form, user=PARTNER_PM, values=values)

    assert list(result.errors) == ["notes"]
    with running_bot.deps.session_factory() as session:
        assert session.scalars(select(Vacancy.notes)).one() == ""


def test_a_referral_with_an_ssn_for_a_code_is_refused_inline(
    slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    add_property(slack, workspace)
    card = log_unit(slack, workspace)
    slack.click(user=CASE_MANAGER, channel=VACANCIES, message_ts=card.ts, action_id="vacancy_refer")
    form = only_view(workspace, CASE_MANAGER)
    values = {"client_code": "123456789", "household_size": "3", "subsidy": "hcv", "roi": "yes",
              "note": "D.O.B. April 5, 1990"}  # fmt: skip

    result = slack.submit_view(form, user=CASE_MANAGER, values=values)

    assert set(result.errors) == {"client_code", "note"}
    assert "social security number" in result.errors["client_code"]
    assert "date of birth" in result.errors["note"]
    assert count(running_bot, Referral) == 0
    assert not [m for m in thread(workspace, VACANCIES, card.ts) if "R-" in m.text]


def test_a_denial_note_naming_the_client_is_refused_inline(
    slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    add_property(slack, workspace)
    card = log_unit(slack, workspace)
    slack.click(user=CASE_MANAGER, channel=VACANCIES, message_ts=card.ts, action_id="vacancy_refer")
    referral = only_view(workspace, CASE_MANAGER)
    values = {"client_code": "CM-20431", "household_size": "3", "subsidy": "hcv", "roi": "yes", "note": ""}
    assert slack.submit_view(referral, user=CASE_MANAGER, values=values).closed
    shared = eventually(lambda: cards(workspace, SHARED), what="the shared card")[0]
    notice = eventually(lambda: [m for m in thread(workspace, SHARED, shared.ts) if "R-1" in m.text], what="notice")
    slack.click(
        user=PARTNER_PM, channel=SHARED, message_ts=notice[0].ts, action_id="referral_deny", thread_ts=shared.ts
    )
    deny = only_view(workspace, PARTNER_PM)

    result = slack.submit_view(
        deny, user=PARTNER_PM, values={"reason": "other", "note": "client: Jane Doe, DOB 4/5/90"}
    )

    assert list(result.errors) == ["note"]
    with running_bot.deps.session_factory() as session:
        assert session.scalars(select(Referral.status)).one() == "pending"
