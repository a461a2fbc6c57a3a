"""Who may log a unit and see the board: our own people everything, a partner their own company's properties,
a user of a workspace we do not know nothing (told privately, nothing stored)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from sandbox import SlackSide, Workspace
from sandbox.workspace import BOT_USER, User
from storage.models import Vacancy
from tests.conftest import CASE_MANAGER, COORDINATOR, PARTNER_PM, VACANCIES
from tests.e2e.board_helpers import SHARED, UNIT, add_property, cards, log_unit, only_view
from tests.e2e.helpers import eventually

OAK_PM, OAK_TEAM, OAK_SHARED = "W0OAKPM", "T0OAK", "C0OAKSHARED"
STRANGER, STRANGER_TEAM = "W0STRANGER", "T0STRANGER"
OUTSIDER = "Porchlight's board is for our community's case managers and the managers of its listed properties"
NOT_YOURS = "You can log units only at your company's properties"


def second_partner(slack: SlackSide, workspace: Workspace) -> None:
    """Another management company, Oak Homes, in its own workspace, with its own property and shared channel."""
    workspace.users[OAK_PM] = User(OAK_PM, OAK_TEAM, "olive.oakpm")
    workspace.add_channel(
        OAK_SHARED, "oak-plaza-shared", members={CASE_MANAGER, COORDINATOR, BOT_USER, OAK_PM}, shared_teams={OAK_TEAM}
    )
    slack.slash_command(user=COORDINATOR, channel=VACANCIES, command="/vacancy", text="property Oak Plaza")
    form = only_view(workspace, COORDINATOR)
    values = {"name": "Oak Plaza", "address": "7 Oak St", "area": "Southside", "company": "Oak Homes",
              "company_team": OAK_TEAM, "managers": [OAK_PM], "shared_channel": OAK_SHARED}  # fmt: skip
    assert slack.submit_view(form, user=COORDINATOR, values=values).closed


def stranger(workspace: Workspace) -> None:
    """Someone of a third workspace, who reached a channel the bot is in."""
    workspace.users[STRANGER] = User(STRANGER, STRANGER_TEAM, "sam.stranger")
    workspace.channels[SHARED].members.add(STRANGER)


def property_option(form: Any, name: str) -> str:
    block = next(b for b in form.view["blocks"] if b.get("block_id") == "property_id")
    return next(o["value"] for o in block["element"]["options"] if o["text"]["text"] == name)


def offered(form: Any) -> list[str]:
    block = next(b for b in form.view["blocks"] if b.get("block_id") == "property_id")
    return [o["text"]["text"] for o in block["element"]["options"]]


def case_managers_form(slack: SlackSide, workspace: Workspace) -> Any:
    slack.slash_command(user=CASE_MANAGER, channel=VACANCIES, command="/vacancy")
    return only_view(workspace, CASE_MANAGER)


def stored(running_bot: Any) -> int:
    with running_bot.deps.session_factory() as session:
        return session.scalar(select(func.count()).select_from(Vacancy)) or 0


def last_ephemeral(workspace: Workspace, user: str) -> Any:
    return eventually(lambda: workspace.ephemerals_for(user), what=f"{user} is answered")[-1]


def home_of(slack: SlackSide, workspace: Workspace, user: str, team: str) -> str:
    workspace.home_views.pop(user, None)
    slack.event({"type": "app_home_opened", "user": user, "user_team": team, "channel": "D0HOME", "tab": "home",
                 "event_ts": "1.1"})  # fmt: skip
    return str(eventually(lambda: workspace.home_views.get(user), what=f"{user}'s Home tab"))


def test_someone_of_an_unknown_workspace_is_told_privately_and_nothing_is_stored(
    slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    add_property(slack, workspace)
    log_unit(slack, workspace)
    stranger(workspace)

    slack.slash_command(user=STRANGER, channel=SHARED, command="/vacancy")
    assert OUTSIDER in last_ephemeral(workspace, STRANGER).text
    assert workspace.open_views(STRANGER) == []

    slack.slash_command(user=STRANGER, channel=SHARED, command="/vacancy", text="list")
    answer = last_ephemeral(workspace, STRANGER)
    assert OUTSIDER in answer.text
    assert "Maple Court" not in str(answer.blocks)

    # A form they were never given (a case manager's, submitted under their name) is refused in the ack.
    form = case_managers_form(slack, workspace)
    result = slack.submit_view(
        form, user=STRANGER, values={**UNIT, "property_id": property_option(form, "Maple Court")}
    )
    assert not result.closed
    assert OUTSIDER in result.errors["property_name"]
    assert stored(running_bot) == 1
    assert len(cards(workspace, SHARED)) == 1  # nothing more went to the partner's channel

    home = home_of(slack, workspace, STRANGER, STRANGER_TEAM)
    assert OUTSIDER in home
    assert "Maple Court" not in home


def test_a_partner_may_log_only_at_their_own_companys_properties(
    slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    add_property(slack, workspace)
    second_partner(slack, workspace)

    slack.slash_command(user=PARTNER_PM, channel=SHARED, command="/vacancy")
    form = only_view(workspace, PARTNER_PM)
    assert offered(form) == ["Maple Court"]  # their company's property, not Oak Homes'

    typed = slack.submit_view(form, user=PARTNER_PM, values={**UNIT, "property_name": "Oak Plaza"})
    assert NOT_YOURS in typed.errors["property_name"]
    unlisted = slack.submit_view(form, user=PARTNER_PM, values={**UNIT, "property_name": "41 Elm St"})
    assert NOT_YOURS in unlisted.errors["property_name"]
    everyones = case_managers_form(slack, workspace)  # tampered: a form that offers every property
    chosen = slack.submit_view(
        everyones, user=PARTNER_PM, values={**UNIT, "property_id": property_option(everyones, "Oak Plaza")}
    )
    assert NOT_YOURS in chosen.errors["property_id"]
    assert stored(running_bot) == 0
    assert cards(workspace, OAK_SHARED) == []

    own = slack.submit_view(form, user=PARTNER_PM, values={**UNIT, "property_id": property_option(form, "Maple Court")})
    assert own.closed
    eventually(lambda: cards(workspace, SHARED), what="their card in their own shared channel")
    with running_bot.deps.session_factory() as session:
        vacancy = session.scalars(select(Vacancy)).one()
        assert (vacancy.property_name, vacancy.created_by, vacancy.created_by_team) == (
            "Maple Court", PARTNER_PM, "T0PARTNER"
        )  # fmt: skip


def test_a_partner_sees_only_their_own_companys_listings(
    slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    add_property(slack, workspace)
    second_partner(slack, workspace)
    log_unit(slack, workspace)  # at Maple Court, the first listed
    oak = property_option(case_managers_form(slack, workspace), "Oak Plaza")
    log_unit(slack, workspace, property_id=oak, unit="3A")

    slack.slash_command(user=PARTNER_PM, channel=SHARED, command="/vacancy", text="list")
    theirs = str(last_ephemeral(workspace, PARTNER_PM).blocks)
    assert "*1 open vacancy*" in theirs and "Maple Court #12B" in theirs
    assert "Oak Plaza" not in theirs
    slack.slash_command(user=CASE_MANAGER, channel=VACANCIES, command="/vacancy", text="list")
    everything = str(last_ephemeral(workspace, CASE_MANAGER).blocks)
    assert "*2 open vacancies*" in everything and "Oak Plaza #3A" in everything

    maple_home = home_of(slack, workspace, PARTNER_PM, "T0PARTNER")
    assert "at your company's properties:* 1 unit at 1 property" in maple_home
    assert "Maple Court #12B" in maple_home and "Oak Plaza" not in maple_home
    oak_home = home_of(slack, workspace, OAK_PM, OAK_TEAM)
    assert "Oak Plaza #3A" in oak_home and "Maple Court" not in oak_home
    assert "Oak Plaza #3A" in home_of(slack, workspace, CASE_MANAGER, "T0PORCH")
