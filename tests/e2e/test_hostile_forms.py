"""Numbers a form sends that are not plain ASCII digits ('²' passes str.isdigit(), and int() refuses it; a 20-digit id
overflows the database): each is the field's own error under it, never a traceback with "something went wrong",
and nothing is stored. So is a click that comes without its trigger: the person is told, in one line. Through the
local workspace, as a person (or a tampered client) would send them."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.errors import UserError
from bot.slack.blocks import partners as partner_views
from sandbox import SlackSide, Workspace
from sandbox.workspace import OpenView
from storage.models import Escalation, Meeting, Referral
from tests.conftest import CASE_MANAGER, COORDINATOR, PARTNER_PM, VACANCIES
from tests.e2e.board_helpers import SHARED, add_property, log_unit, only_view
from tests.e2e.escalation_helpers import RSC, form_values, open_form
from tests.e2e.helpers import eventually
from tests.e2e.test_checkins import MAPLE, WEDNESDAYS_AT_TEN, set_checkin

NOT_ASCII_DIGITS = ["²", "²²", "9" * 20, str(2**63)]


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.exc_info]


def tamper_option(form: OpenView, block_id: str, value: str) -> None:
    """What a tampered client sends: the select's first option carrying `value`."""
    element = next(b for b in form.view["blocks"] if b.get("block_id") == block_id)["element"]
    element["options"][0]["value"] = value
    element.pop("initial_option", None)


def count(running_bot: Any, model: type) -> int:
    with running_bot.deps.session_factory() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("value", NOT_ASCII_DIGITS)
def test_an_escalations_property_that_is_not_an_id_is_asked_for_again(
    slack: SlackSide, workspace: Workspace, running_bot: Any, value: str, caplog: pytest.LogCaptureFixture
) -> None:
    add_property(slack, workspace)
    form = open_form(slack, workspace)
    tamper_option(form, "property_id", value)
    caplog.clear()
    result = slack.submit_view(form, user=RSC, values=form_values(form))
    assert result.errors == {"property_id": "Choose the property."}
    assert tracebacks(caplog) == []
    assert count(running_bot, Escalation) == 0


@pytest.mark.parametrize("value", NOT_ASCII_DIGITS[:2])
def test_a_check_in_day_that_is_not_a_weekday_is_asked_for_again(
    slack: SlackSide, workspace: Workspace, running_bot: Any, value: str, caplog: pytest.LogCaptureFixture
) -> None:
    slack.slash_command(user=COORDINATOR, channel=VACANCIES, command="/vacancy", text="property Maple Court")
    form = only_view(workspace, COORDINATOR)
    tamper_option(form, "checkin_day", value)
    tamper_option(form, "checkin_every", value)
    caplog.clear()
    result = slack.submit_view(
        form, user=COORDINATOR, values={**MAPLE, **WEDNESDAYS_AT_TEN, "checkin_day": value, "checkin_every": value}
    )
    assert result.errors == {"checkin_day": "Choose a day from the list.",
                             "checkin_every": "Choose how often from the list."}  # fmt: skip
    assert tracebacks(caplog) == []
    assert count(running_bot, Meeting) == 0


@pytest.mark.parametrize("typed", ["²", "٣", "+3"])
def test_a_household_size_typed_in_other_digits_is_asked_for_again(
    slack: SlackSide, workspace: Workspace, running_bot: Any, typed: str, caplog: pytest.LogCaptureFixture
) -> None:
    add_property(slack, workspace)
    card = log_unit(slack, workspace)
    slack.click(user=CASE_MANAGER, channel=VACANCIES, message_ts=card.ts, action_id="vacancy_refer")
    form = only_view(workspace, CASE_MANAGER)
    caplog.clear()
    values = {"client_code": "CM-20431", "household_size": typed, "subsidy": "hcv", "roi": "yes", "note": ""}
    result = slack.submit_view(form, user=CASE_MANAGER, values=values)
    assert set(result.errors) == {"household_size"}
    assert tracebacks(caplog) == []
    assert count(running_bot, Referral) == 0
    values["household_size"] = "3"
    assert slack.submit_view(form, user=CASE_MANAGER, values=values).closed  # typed plainly, it goes through


@pytest.mark.parametrize("month", ["2026-+1", "2026- 1", "2026-1", "0026-01"])
def test_a_nudge_button_naming_a_month_in_another_spelling_no_longer_works(month: str) -> None:
    with pytest.raises(UserError, match="no longer works"):
        partner_views.read_nudge_value(f"7:{month}")
    assert partner_views.read_nudge_value("7:2026-12") == (7, "2026-12")


def test_a_click_on_add_to_check_in_without_a_trigger_is_told_to_try_again(
    slack: SlackSide, workspace: Workspace, running_bot: Any, caplog: pytest.LogCaptureFixture
) -> None:
    set_checkin(slack, workspace)
    with workspace.lock:
        url = workspace.new_response_url(slack.sandbox_url, user=PARTNER_PM, channel=SHARED)
    caplog.clear()
    click = {"type": "block_actions", "user": {"id": PARTNER_PM, "team_id": "T0PARTNER"}, "team": {"id": "T0PARTNER"},
             "channel": {"id": SHARED}, "response_url": url,
             "actions": [{"type": "button", "action_id": "checkin_hub_add", "value": "1"}]}  # fmt: skip
    assert slack.post_payload(click).status_code == 200
    told = eventually(lambda: [e.text for e in workspace.ephemerals_for(PARTNER_PM) if "try again" in e.text],
                      what="told")  # fmt: skip
    assert "Slack would not open the form" in told[0]
    assert tracebacks(caplog) == []


@pytest.mark.parametrize("action_id", ["vacancy_update", "vacancy_refer"])
def test_a_cards_form_button_clicked_without_a_trigger_is_told_to_try_again(
    slack: SlackSide, workspace: Workspace, running_bot: Any, action_id: str, caplog: pytest.LogCaptureFixture
) -> None:
    add_property(slack, workspace)
    card = log_unit(slack, workspace)
    user = CASE_MANAGER if action_id == "vacancy_refer" else COORDINATOR
    with workspace.lock:
        url = workspace.new_response_url(slack.sandbox_url, user=user, channel=VACANCIES)
    caplog.clear()
    click = {"type": "block_actions", "user": {"id": user, "team_id": "T0PORCH"}, "team": {"id": "T0PORCH"},
             "channel": {"id": VACANCIES}, "message": {"ts": card.ts}, "response_url": url,
             "actions": [{"type": "button", "action_id": action_id, "value": "1"}]}  # fmt: skip
    assert slack.post_payload(click).status_code == 200
    eventually(lambda: [e for e in workspace.ephemerals_for(user) if "Slack would not open the form" in e.text],
               what="told")  # fmt: skip
    assert tracebacks(caplog) == []
