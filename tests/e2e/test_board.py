"""The vacancy board, as people use it: property managers from a partner workspace, case managers, coordinators."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import select

from sandbox import SlackSide, Workspace
from storage.models import AuditEntry, Referral, Vacancy
from tests.conftest import CASE_MANAGER, COORDINATOR, PARTNER_PM, VACANCIES
from tests.e2e.board_helpers import SHARED, add_property, buttons, card_text, cards, log_unit, only_view, thread
from tests.e2e.helpers import dm_to, eventually


def vacancy(running_bot: Any) -> Vacancy:
    with running_bot.deps.session_factory() as session:
        return session.scalars(select(Vacancy)).one()


def ephemeral_to(workspace: Workspace, user: str, *, containing: str) -> str:
    found = eventually(
        lambda: [e.text for e in workspace.ephemerals_for(user) if containing in e.text], what=f"{user} is told"
    )
    return found[-1]


def test_the_card_goes_to_the_board_and_the_propertys_shared_channel(
    slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    add_property(slack, workspace)
    card = log_unit(slack, workspace)
    assert "Maple Court #12B" in card.text
    shared = eventually(lambda: cards(workspace, SHARED), what="the card in the shared channel")[0]
    assert buttons(shared) == ["vacancy_refer", "vacancy_fill", "vacancy_update", "vacancy_withdraw"]


def test_an_external_property_manager_marks_it_filled_and_every_card_follows(
    slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    add_property(slack, workspace)
    log_unit(slack, workspace)
    shared = eventually(lambda: cards(workspace, SHARED), what="the shared card")[0]

    response = slack.click(user=PARTNER_PM, channel=SHARED, message_ts=shared.ts, action_id="vacancy_fill")

    assert response.status_code == 200
    assert vacancy(running_bot).status == "filled"
    for channel in (VACANCIES, SHARED):
        card = eventually(lambda c=channel: [m for m in cards(workspace, c) if "Filled" in card_text(m)], what="edit")[
            0
        ]
        assert card.edited >= 1
        assert buttons(card) == []  # nothing left to click on a filled unit
        lines = eventually(lambda c=channel, t=card.ts: thread(workspace, c, t), what="the history line")
        assert f"Marked filled by <@{PARTNER_PM}>" in lines[-1].text
    with running_bot.deps.session_factory() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "vacancy.filled")).one()
        assert (entry.actor, entry.actor_team) == (PARTNER_PM, "T0PARTNER")


def test_someone_who_is_not_the_propertys_manager_is_refused(
    slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    add_property(slack, workspace)
    card = log_unit(slack, workspace)
    for action in ("vacancy_fill", "vacancy_withdraw", "vacancy_update"):
        slack.click(user=CASE_MANAGER, channel=VACANCIES, message_ts=card.ts, action_id=action)
    refusal = ephemeral_to(workspace, CASE_MANAGER, containing="Only this property's managers")
    assert "coordinator" in refusal
    assert vacancy(running_bot).status == "open"
    assert workspace.open_views(CASE_MANAGER) == []


def test_a_double_click_applies_once_and_the_second_is_told_who_did_it(
    slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    add_property(slack, workspace)
    log_unit(slack, workspace)
    shared = eventually(lambda: cards(workspace, SHARED), what="the shared card")[0]
    # A double click sends the card as the client showed it, twice. The second click is made only once the worker
    # has edited the card to "Filled" (the order that used to make this test flaky), on the stale card.
    as_shown = copy.deepcopy(shared)
    slack.click(user=PARTNER_PM, channel=SHARED, message_ts=shared.ts, action_id="vacancy_fill", seen=as_shown)
    eventually(lambda: "vacancy_fill" not in buttons(shared), what="the card edited to Filled")
    slack.click(user=PARTNER_PM, channel=SHARED, message_ts=shared.ts, action_id="vacancy_fill", seen=as_shown)
    told = ephemeral_to(workspace, PARTNER_PM, containing="already")
    assert f"V-1 is already marked filled by <@{PARTNER_PM}>" in told
    assert vacancy(running_bot).status == "filled"
    with running_bot.deps.session_factory() as session:
        assert len(session.scalars(select(AuditEntry).where(AuditEntry.action == "vacancy.filled")).all()) == 1


def test_a_coordinator_may_withdraw(slack: SlackSide, workspace: Workspace, running_bot: Any) -> None:
    add_property(slack, workspace)
    card = log_unit(slack, workspace)
    slack.click(user=COORDINATOR, channel=VACANCIES, message_ts=card.ts, action_id="vacancy_withdraw")
    assert vacancy(running_bot).status == "withdrawn"


def refer(slack: SlackSide, workspace: Workspace, card_ts: str, **changes: Any) -> Any:
    slack.click(user=CASE_MANAGER, channel=VACANCIES, message_ts=card_ts, action_id="vacancy_refer")
    form = only_view(workspace, CASE_MANAGER)
    values = {"client_code": "CM-20431", "household_size": "3", "subsidy": "hcv", "roi": "yes", "note": "", **changes}
    return form, slack.submit_view(form, user=CASE_MANAGER, values=values)


def test_a_referral_by_code_denied_reopens_the_unit_and_tells_the_case_manager(
    slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    add_property(slack, workspace)
    card = log_unit(slack, workspace)
    form, result = refer(slack, workspace, card.ts, client_code="John Smith", note="call 555-123-4567")
    assert set(result.errors) == {"client_code", "note"}  # names and phone numbers are refused
    result = slack.submit_view(form, user=CASE_MANAGER, values={
        "client_code": "CM-20431", "household_size": "3", "subsidy": "hcv", "roi": "yes", "note": ""})  # fmt: skip
    assert result.closed
    assert vacancy(running_bot).status == "referral_pending"
    shared = eventually(lambda: cards(workspace, SHARED), what="shared card")[0]
    notice = eventually(
        lambda: [m for m in thread(workspace, SHARED, shared.ts) if "R-1" in m.text], what="the notice"
    )[0]
    assert "CM-20431" not in str(notice.blocks)  # the shared channel sees the referral number only
    assert f"<@{PARTNER_PM}>" in str(notice.blocks)

    slack.click(
        user=PARTNER_PM, channel=SHARED, message_ts=notice.ts, action_id="referral_details", thread_ts=shared.ts
    )
    assert "CM-20431" in ephemeral_to(workspace, PARTNER_PM, containing="household of 3")
    slack.click(user=PARTNER_PM, channel=SHARED, message_ts=notice.ts, action_id="referral_deny", thread_ts=shared.ts)
    deny = only_view(workspace, PARTNER_PM)
    assert slack.submit_view(deny, user=PARTNER_PM, values={"reason": "income", "note": ""}).closed

    assert vacancy(running_bot).status == "open"
    with running_bot.deps.session_factory() as session:
        referral = session.scalars(select(Referral)).one()
        assert (referral.status, referral.denial_reason, referral.decided_by) == ("denied", "income", PARTNER_PM)
    dm = dm_to(workspace, CASE_MANAGER, what="the case manager's DM")
    assert "R-1 (client CM-20431)" in dm.messages[-1].text
    assert "denied" in dm.messages[-1].text


def test_moved_in_fills_the_unit_and_celebrates_without_client_details(
    slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    add_property(slack, workspace)
    card = log_unit(slack, workspace)
    refer(slack, workspace, card.ts)
    notice = eventually(
        lambda: [m for m in thread(workspace, VACANCIES, card.ts) if "R-1" in m.text], what="the notice"
    )[0]
    slack.click(user=COORDINATOR, channel=VACANCIES, message_ts=notice.ts, action_id="referral_moved_in",
                thread_ts=card.ts)  # fmt: skip
    form = only_view(workspace, COORDINATOR)
    assert slack.submit_view(form, user=COORDINATOR, values={"move_in_on": "2026-12-02"}).closed
    assert vacancy(running_bot).status == "filled"
    party = eventually(
        lambda: [m for m in workspace.messages(VACANCIES) if ":tada:" in m.text and not m.thread_ts], what="celebration"
    )[0]
    assert "Maple Court #12B" in party.text
    assert "CM-20431" not in party.text


def test_partners_cannot_refer(slack: SlackSide, workspace: Workspace, running_bot: Any) -> None:
    add_property(slack, workspace)
    log_unit(slack, workspace)
    shared = eventually(lambda: cards(workspace, SHARED), what="shared card")[0]
    slack.click(user=PARTNER_PM, channel=SHARED, message_ts=shared.ts, action_id="vacancy_refer")
    assert "Only case managers" in ephemeral_to(workspace, PARTNER_PM, containing="refer")
    assert workspace.open_views(PARTNER_PM) == []


def test_update_is_prefilled_and_edits_the_card(slack: SlackSide, workspace: Workspace, running_bot: Any) -> None:
    add_property(slack, workspace)
    log_unit(slack, workspace)
    shared = eventually(lambda: cards(workspace, SHARED), what="shared card")[0]
    slack.click(user=PARTNER_PM, channel=SHARED, message_ts=shared.ts, action_id="vacancy_update")
    form = only_view(workspace, PARTNER_PM)
    rent = next(b for b in form.view["blocks"] if b.get("block_id") == "rent")["element"]["initial_value"]
    assert rent == "1250"
    values = {
        "unit": "12B", "bedrooms": "2", "rent": "1195", "available_on": "2026-12-01", "subsidies": ["hcv"],
        "accessibility": ["step_free"], "screening": [], "screening_notes": "", "contact": "555-0100", "notes": "",
    }  # fmt: skip
    assert slack.submit_view(form, user=PARTNER_PM, values=values).closed
    assert vacancy(running_bot).rent_cents == 119_500
    eventually(lambda: [m for m in cards(workspace, VACANCIES) if "$1,195/month" in card_text(m)], what="card edited")


def test_list_filters_and_pages(slack: SlackSide, workspace: Workspace, running_bot: Any) -> None:
    add_property(slack, workspace)
    for bedrooms, rent in (("1", "900"), ("2", "1250"), ("3", "1600")):
        log_unit(slack, workspace, bedrooms=bedrooms, rent=rent)
    slack.slash_command(user=CASE_MANAGER, channel=VACANCIES, command="/vacancy", text="list 2br max:1300 hcv")
    answer = str(workspace.ephemerals_for(CASE_MANAGER)[-1].blocks)
    assert "*1 open vacancy*" in answer
    assert "$1,250/month" in answer
    slack.slash_command(user=CASE_MANAGER, channel=VACANCIES, command="/vacancy", text="list 4x")
    assert "I don't understand `4x`" in workspace.ephemerals_for(CASE_MANAGER)[-1].text


def test_the_home_tab_shows_the_board_referrals_and_a_managers_listings(
    slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    add_property(slack, workspace)
    card = log_unit(slack, workspace)
    refer(slack, workspace, card.ts)
    for user, team in ((CASE_MANAGER, "T0PORCH"), (PARTNER_PM, "T0PARTNER")):
        slack.event({"type": "app_home_opened", "user": user, "user_team": team, "channel": "D0HOME", "tab": "home",
                     "event_ts": "1.1"})  # fmt: skip
    case_manager = str(eventually(lambda: workspace.home_views.get(CASE_MANAGER), what="home published"))
    assert "1 unit at 1 property" in case_manager
    assert "R-1 · client CM-20431" in case_manager  # their own referral, in their own Home tab
    manager = str(eventually(lambda: workspace.home_views.get(PARTNER_PM), what="home published"))
    assert "Your listings" in manager
    assert "CM-20431" not in manager


def test_withdrawing_a_unit_closes_its_referrals_and_tells_the_case_manager(
    slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    add_property(slack, workspace)
    card = log_unit(slack, workspace)
    refer(slack, workspace, card.ts)
    slack.click(user=COORDINATOR, channel=VACANCIES, message_ts=card.ts, action_id="vacancy_withdraw")
    with running_bot.deps.session_factory() as session:
        referral = session.scalars(select(Referral)).one()
        assert (referral.status, referral.denial_reason) == ("denied", "unit_unavailable")
    dm = dm_to(workspace, CASE_MANAGER, what="the case manager's DM")
    assert "Unit no longer available" in dm.messages[-1].text
