"""Who may act on a property's check-in and raise its issues, as an outsider would try it: the manager of another
company in the same shared channel (Slack Connect channels can hold several organisations) is refused on Maple
Court's agenda, its hub buttons and a button naming Maple Court's meeting; nothing changes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bot.clock import ManualClock
from sandbox import SlackSide, Workspace
from sandbox.workspace import User
from storage.models import AgendaEntry, CheckinItem, Escalation
from tests.e2e.board_helpers import SHARED
from tests.e2e.helpers import eventually
from tests.e2e.test_checkins import add_by_command, agendas, at, hub, run_tick, set_checkin

OTHER_PM = "W0OTHERPM"  # manages properties for a company Porchlight does not list


def refusals(workspace: Workspace) -> list[str]:
    return [e.text for e in workspace.ephemerals_for(OTHER_PM)]


def test_another_companys_manager_is_refused_on_maple_courts_check_in_and_hub(
    slack: SlackSide, workspace: Workspace, running_bot: Any, clock: ManualClock
) -> None:
    workspace.users[OTHER_PM] = User(OTHER_PM, "T0OTHERCO", "olive.othermanager")
    workspace.channels[SHARED].members.add(OTHER_PM)
    set_checkin(slack, workspace)
    assert add_by_command(slack, workspace, section="arrears", unit="4A", client_code="HMIS-0153",
                          note="Two months behind").closed  # fmt: skip
    at(clock, datetime(2026, 11, 25, 16, 0, tzinfo=UTC))  # Wednesday 10:00 in Chicago: the agenda
    run_tick(running_bot.deps)
    [agenda] = eventually(lambda: agendas(workspace), what="the agenda")

    slack.click(user=OTHER_PM, channel=SHARED, message_ts=agenda.ts, action_id="checkin_close")
    eventually(lambda: [t for t in refusals(workspace) if "Only the people of this check-in" in t], what="refused")
    for action in ("checkin_hub_add", "escalation_raise"):
        slack.click(user=OTHER_PM, channel=SHARED, message_ts=hub(workspace).ts, action_id=action)
    told = eventually(lambda: refusals(workspace) if len(refusals(workspace)) >= 3 else [], what="each refused")
    assert len([t for t in told if "Only the people of this check-in" in t]) == 2  # its agenda and its hub
    assert [t for t in told if t.startswith("Porchlight's board is for our community")]  # no escalation form
    assert workspace.open_views(OTHER_PM) == []

    with running_bot.deps.session_factory() as session:
        assert session.scalars(select(AgendaEntry.outcome)).all() == ["pending"]
        assert session.scalars(select(CheckinItem.closed_at)).all() == [None]
        assert session.scalars(select(Escalation)).all() == []
