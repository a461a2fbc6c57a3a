"""Socket Mode (SLACK_APP_TOKEN set, no public URL): the same people doing the same things, over the WebSocket
that the bot opens to the local workspace. Slack's envelopes are not signed; the ack carries the answer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import Runtime, build_app, build_deps
from bot.clock import ManualClock
from sandbox import SandboxServer, SlackSide, Workspace
from sandbox.socket_mode import SocketModeServer
from storage.models import InboundEvent, Vacancy
from tests.conftest import CASE_MANAGER, PARTNER_PM, VACANCIES, make_settings
from tests.e2e.board_helpers import SHARED, UNIT, add_property, card_text, cards, log_unit, only_view
from tests.e2e.helpers import eventually


@pytest.fixture
def socket_sandbox(workspace: Workspace) -> Iterator[SandboxServer]:
    with SandboxServer(workspace, socket_mode=True) as server:
        yield server


@pytest.fixture
def socket_bot(
    socket_sandbox: SandboxServer, workspace: Workspace, clock: ManualClock, tmp_path: Path
) -> Iterator[Any]:
    settings = make_settings(
        SLACK_API_URL=socket_sandbox.api_url, DATABASE_URL=f"sqlite:///{tmp_path}/porchlight.db",
        SLACK_APP_TOKEN=workspace.app_token, SLACK_SIGNING_SECRET=None,  # Socket Mode needs no signing secret
    )  # fmt: skip
    deps = build_deps(settings, clock=clock)
    runtime = Runtime(deps=deps, app=build_app(deps)).start()
    assert runtime.socket is not None and runtime.http is None  # no HTTP port opened
    yield runtime
    runtime.stop()  # about 3 s: slack_sdk's Socket Mode client winds down its threads


@pytest.fixture
def socket(socket_sandbox: SandboxServer) -> SocketModeServer:
    assert socket_sandbox.socket is not None
    return socket_sandbox.socket


@pytest.fixture
def people(
    socket_bot: Any, socket: SocketModeServer, socket_sandbox: SandboxServer, workspace: Workspace
) -> Iterator[SlackSide]:
    socket.wait_connected()
    side = SlackSide(workspace, bot_url="", sandbox_url=socket_sandbox.base_url, socket=socket)
    yield side
    side.close()


def test_a_unit_logged_over_the_socket_is_checked_in_the_ack_then_posted(
    people: SlackSide, workspace: Workspace
) -> None:
    add_property(people, workspace)
    people.slash_command(user=CASE_MANAGER, channel=VACANCIES, command="/vacancy")
    form = only_view(workspace, CASE_MANAGER)
    options = next(b for b in form.view["blocks"] if b.get("block_id") == "property_id")["element"]["options"]
    values = {**UNIT, "property_id": options[0]["value"], "rent": "about 1200"}
    refused = people.submit_view(form, user=CASE_MANAGER, values=values)  # the errors travel back in the ack
    assert not refused.closed and "rent" in refused.errors

    assert people.submit_view(form, user=CASE_MANAGER, values={**values, "rent": "1200"}).closed
    eventually(lambda: cards(workspace, VACANCIES), what="the card on the board")
    eventually(lambda: cards(workspace, SHARED), what="the card in the shared channel")
    eventually(lambda: [e for e in workspace.ephemerals if "Posted vacancy V-1" in e.text], what="the confirmation")

    people.slash_command(user=CASE_MANAGER, channel=VACANCIES, command="/vacancy", text="list")  # answered in the ack
    answer = workspace.ephemerals_for(CASE_MANAGER)[-1]
    assert answer.text == "1 open vacancy"
    assert "Maple Court #12B" in str(answer.blocks)


def test_a_partners_property_manager_marks_it_filled_over_the_socket(
    people: SlackSide, workspace: Workspace, socket_bot: Any
) -> None:
    add_property(people, workspace)
    log_unit(people, workspace)
    shared = eventually(lambda: cards(workspace, SHARED), what="the shared card")[0]
    people.click(user=PARTNER_PM, channel=SHARED, message_ts=shared.ts, action_id="vacancy_fill")
    with socket_bot.deps.session_factory() as session:
        assert session.scalars(select(Vacancy.status)).one() == "filled"
    eventually(lambda: [m for m in cards(workspace, SHARED) if "Filled" in card_text(m)], what="the card edited")


def test_an_event_slack_retries_over_the_socket_counts_once(people: SlackSide, socket_bot: Any) -> None:
    event = {"type": "message", "channel": SHARED, "user": PARTNER_PM, "user_team": "T0PARTNER",
             "text": "Unit 4 is ready", "ts": "1790000000.000100", "channel_type": "channel"}  # fmt: skip
    for retry in (None, 1, 2):
        assert people.event(event, event_id="Ev0SOCKET", retry_num=retry).status_code == 200
    socket_bot.deps.contact_log.flush()
    with socket_bot.deps.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(InboundEvent)) == 2  # the event id and the message


def test_when_slack_asks_the_bot_to_reconnect_it_does_and_carries_on(
    people: SlackSide, workspace: Workspace, socket: SocketModeServer
) -> None:
    assert [m for m, _ in workspace.calls if m == "apps.connections.open"] == ["apps.connections.open"]
    socket.refresh()
    eventually(lambda: socket.connections_opened == 2, what="a second connection")
    eventually(lambda: socket.connected == 1, what="the old connection closed")
    add_property(people, workspace)  # over the new connection
    assert len([m for m, _ in workspace.calls if m == "apps.connections.open"]) == 2
