"""A case manager logs a vacancy with /vacancy, through the local Slack workspace over real HTTP."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from sandbox import SlackSide, Workspace
from storage.models import AuditEntry, OutboxMessage, PostedMessage, Vacancy
from tests.conftest import CASE_MANAGER, VACANCIES
from tests.e2e.helpers import dm_to, eventually

GOOD = {
    "property_name": "Maple Court",
    "unit": "12B",
    "bedrooms": "2",
    "rent": "$1,250",
    "available_on": "2026-12-01",
    "subsidies": ["hcv", "vash"],
    "accessibility": ["step_free"],
    "screening": ["credit"],
    "screening_notes": "Income 2x rent",
    "contact": "Leasing office 555-0100",
    "notes": "Near the 12 bus <!channel> & <https://evil.example|click>",
}


def open_form(slack: SlackSide, workspace: Workspace, channel: str = VACANCIES) -> Any:
    response = slack.slash_command(user=CASE_MANAGER, channel=channel, command="/vacancy")
    assert response.status_code == 200
    [view] = eventually(lambda: workspace.open_views(CASE_MANAGER), what="the vacancy form opens")
    return view


def count(running_bot: Any, model: Any) -> int:
    with running_bot.deps.session_factory() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_vacancy_is_stored_posted_and_confirmed(slack: SlackSide, workspace: Workspace, running_bot: Any) -> None:
    view = open_form(slack, workspace)
    assert view.view["callback_id"] == "vacancy_new"

    result = slack.submit_view(view, user=CASE_MANAGER, values=GOOD)

    assert result.closed and not result.errors
    eventually(lambda: count(running_bot, Vacancy), what="the vacancy is stored")
    with running_bot.deps.session_factory() as session:
        vacancy = session.scalars(select(Vacancy)).one()
        assert (vacancy.property_name, vacancy.unit, vacancy.bedrooms, vacancy.rent_cents) == (
            "Maple Court",
            "12B",
            2,
            125_000,
        )
        assert vacancy.subsidies == ["hcv", "vash"]
        assert session.scalars(select(AuditEntry.action)).all() == ["vacancy.logged"]
    card = eventually(lambda: workspace.messages(VACANCIES), what="the card in #vacancies")[0]
    assert "Maple Court #12B" in card.text
    rendered = str(card.blocks)
    assert "$1,250/month" in rendered and "Housing Choice Voucher" in rendered
    # What people typed cannot ping the channel or forge a link.
    assert "<!channel>" not in rendered and "&lt;!channel&gt;" in rendered
    assert "<https://evil.example" not in rendered
    assert card.metadata["event_payload"]["outbox_id"] > 0
    confirmation = eventually(lambda: workspace.ephemerals_for(CASE_MANAGER), what="the confirmation")[-1]
    assert confirmation.channel == VACANCIES
    assert f"/archives/{VACANCIES}/p{card.ts.replace('.', '')}" in confirmation.text
    with running_bot.deps.session_factory() as session:
        shown = session.scalars(select(PostedMessage)).one()
        assert (shown.subject_type, shown.role, shown.channel, shown.ts) == ("vacancy", "card", VACANCIES, card.ts)


def test_bad_input_comes_back_inline_and_nothing_is_stored(
    slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    view = open_form(slack, workspace)
    bad = {**GOOD, "rent": "twelve hundred", "bedrooms": "15", "available_on": "2025-01-01", "unit": "   "}

    result = slack.submit_view(view, user=CASE_MANAGER, values=bad)

    assert not result.closed
    assert set(result.errors) == {"rent", "bedrooms", "available_on", "unit"}
    assert "number" in result.errors["rent"]
    assert count(running_bot, Vacancy) == 0
    assert count(running_bot, OutboxMessage) == 0
    # The person fixes the fields in the same modal and submits again.
    result = slack.submit_view(view, user=CASE_MANAGER, values=GOOD)
    assert result.closed
    eventually(lambda: count(running_bot, Vacancy) == 1, what="the corrected vacancy is stored")


def test_required_and_too_long_are_refused_before_anything_is_sent(
    slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    view = open_form(slack, workspace)
    result = slack.submit_view(view, user=CASE_MANAGER, values={**GOOD, "contact": "", "notes": "x" * 1001})
    assert not result.sent
    assert set(result.client_errors) == {"contact", "notes"}
    assert count(running_bot, Vacancy) == 0


def test_help_and_unknown_words(slack: SlackSide, workspace: Workspace, running_bot: Any) -> None:
    slack.slash_command(user=CASE_MANAGER, channel="C0GENERAL", command="/vacancy", text="help")
    assert "/vacancy" in workspace.ephemerals_for(CASE_MANAGER)[-1].text
    slack.slash_command(user=CASE_MANAGER, channel="C0GENERAL", command="/vacancy", text="frobnicate")
    assert "don't know `/vacancy frobnicate`" in workspace.ephemerals_for(CASE_MANAGER)[-1].text
    assert workspace.open_views(CASE_MANAGER) == []


def test_an_expired_trigger_gets_a_clear_message(slack: SlackSide, workspace: Workspace) -> None:
    workspace.trigger_lifetime = 0.0  # as if the bot took longer than Slack's 3 seconds
    response = slack.slash_command(user=CASE_MANAGER, channel="C0GENERAL", command="/vacancy")
    assert response.status_code == 200
    [told] = eventually(lambda: workspace.ephemerals_for(CASE_MANAGER), what="the person is told")
    assert "expired_trigger_id" in told.text
    assert "run /vacancy again" in told.text


def test_confirmation_falls_back_to_a_dm_where_the_bot_cannot_post(
    slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    view = open_form(slack, workspace, channel="C0GENERAL")  # the bot is not a member of #general
    assert slack.submit_view(view, user=CASE_MANAGER, values=GOOD).closed
    dm = dm_to(workspace, CASE_MANAGER, what="a DM to the case manager")
    assert "Posted vacancy V-1" in dm.messages[-1].text


def test_a_vacancy_that_cannot_be_saved_is_reported_with_what_was_entered(
    slack: SlackSide, workspace: Workspace, running_bot: Any, monkeypatch: Any
) -> None:
    view = open_form(slack, workspace)

    def broken(*_: Any, **__: Any) -> None:
        raise RuntimeError("the database is gone")

    monkeypatch.setattr("bot.domain.vacancies.log_vacancy", broken)
    assert slack.submit_view(view, user=CASE_MANAGER, values=GOOD).closed
    dm = dm_to(workspace, CASE_MANAGER, what="a DM saying it was not saved")
    text = dm.messages[-1].text
    assert "could not be saved" in text
    assert "Maple Court #12B" in text
    assert "ref " in text
    assert count(running_bot, Vacancy) == 0
