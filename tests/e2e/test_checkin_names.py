"""A meeting is found by its name (`/checkin add Maple Court`), and a property's check-in is named after the property:
a coordinator who types `/checkin meeting Maple Court` is sent to the property's form, and no second meeting under
that name shadows it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.domain.checkins import PROPERTY_CHECKIN_NAMED
from sandbox import SlackSide, Workspace
from storage.models import Meeting
from tests.conftest import COORDINATOR, VACANCIES
from tests.e2e.board_helpers import only_view
from tests.e2e.test_checkins import set_checkin


def meetings(running_bot: Any) -> list[tuple[str, str]]:
    with running_bot.deps.session_factory() as session:
        return [(m.kind, m.name) for m in session.scalars(select(Meeting).order_by(Meeting.id))]


def test_checkin_meeting_with_a_propertys_name_points_to_the_property_form(
    slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    set_checkin(slack, workspace)
    slack.slash_command(user=COORDINATOR, channel=VACANCIES, command="/checkin", text="meeting maple court")
    assert workspace.ephemerals_for(COORDINATOR)[-1].text == PROPERTY_CHECKIN_NAMED
    assert workspace.open_views(COORDINATOR) == []

    slack.slash_command(user=COORDINATOR, channel=VACANCIES, command="/checkin", text="meeting Case consultation")
    form = only_view(workspace, COORDINATOR)
    values = {"meeting_name": "Maple Court", "checkin_day": "1", "checkin_time": "14:00",
              "checkin_zone": "America/Chicago", "checkin_every": "2", "checkin_holidays": "skip",
              "checkin_members": ["U0RSC"], "checkin_channel": "C0GENERAL"}  # fmt: skip
    result = slack.submit_view(form, user=COORDINATOR, values=values)  # renamed to the property's name in the form
    assert result.errors == {"meeting_name": PROPERTY_CHECKIN_NAMED}
    assert meetings(running_bot) == [("property_checkin", "Maple Court")]
