"""The local workspace answers like Slack: shapes, error codes, limits, rate limits; through slack_sdk over HTTP."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from sandbox import SandboxServer, Workspace


@pytest.fixture
def client(sandbox: SandboxServer) -> WebClient:
    return WebClient(token="xoxb-sandbox-token", base_url=sandbox.api_url, retry_handlers=[])


def error_of(call: object) -> str:
    with pytest.raises(SlackApiError) as caught:
        call()  # type: ignore[operator]
    return str(caught.value.response["error"])


def test_auth(client: WebClient, sandbox: SandboxServer) -> None:
    assert client.auth_test()["team_id"] == "T0PORCH"
    bad = WebClient(token="xoxb-wrong", base_url=sandbox.api_url)
    assert error_of(bad.auth_test) == "invalid_auth"
    assert error_of(WebClient(base_url=sandbox.api_url).auth_test) == "not_authed"


def test_only_the_app_level_token_opens_socket_mode_connections(
    client: WebClient, workspace: Workspace, sandbox: SandboxServer
) -> None:
    app = WebClient(token=workspace.app_token, base_url=sandbox.api_url, retry_handlers=[])
    token = workspace.app_token
    assert error_of(lambda: app.apps_connections_open(app_token=token)) == "socket_mode_not_enabled"  # HTTP only
    assert error_of(app.auth_test) == "not_allowed_token_type"
    assert error_of(lambda: client.apps_connections_open(app_token="xoxb-sandbox-token")) == "not_allowed_token_type"
    with SandboxServer(Workspace(), socket_mode=True) as socket_sandbox:
        opened = WebClient(base_url=socket_sandbox.api_url).apps_connections_open(app_token=token)
        assert opened["url"].startswith("ws://127.0.0.1:")


def test_post_update_and_permalink(client: WebClient, workspace: Workspace) -> None:
    metadata = {"event_type": "t", "event_payload": {"n": 1}}
    posted = client.chat_postMessage(channel="C0VACANCIES", text="hello", metadata=metadata)
    assert posted["channel"] == "C0VACANCIES"
    assert posted["message"]["text"] == "hello"
    client.chat_update(channel="C0VACANCIES", ts=posted["ts"], text="edited")
    [message] = workspace.messages("C0VACANCIES")
    assert (message.text, message.edited) == ("edited", 1)
    link = client.chat_getPermalink(channel="C0VACANCIES", message_ts=posted["ts"])["permalink"]
    assert link.endswith(posted["ts"].replace(".", ""))
    history = client.conversations_history(channel="C0VACANCIES", include_all_metadata=True)
    assert history["messages"][0]["metadata"]["event_payload"] == {"n": 1}


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing:UserWarning")  # no_text on purpose
def test_channel_errors(client: WebClient) -> None:
    assert error_of(lambda: client.chat_postMessage(channel="C0NOPE", text="x")) == "channel_not_found"
    assert error_of(lambda: client.chat_postMessage(channel="C0GENERAL", text="x")) == "not_in_channel"
    assert error_of(lambda: client.chat_postMessage(channel="C0VACANCIES")) == "no_text"
    assert (
        error_of(lambda: client.chat_postEphemeral(channel="C0ESCALATE", user="U0CASEMGR", text="x"))
        == "user_not_in_channel"
    )
    assert error_of(lambda: client.chat_update(channel="C0VACANCIES", ts="1.2", text="x")) == "message_not_found"


@pytest.mark.parametrize(
    "blocks",
    [
        [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}],
        [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}] * 51,
        [{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}],
        [{"type": "unknown_block"}],
        [{"type": "section", "block_id": "a", "text": {"type": "mrkdwn", "text": "x"}}] * 2,
    ],
)
def test_blocks_slack_would_reject_are_rejected(client: WebClient, blocks: list[dict[str, object]]) -> None:
    assert error_of(lambda: client.chat_postMessage(channel="C0VACANCIES", text="x", blocks=blocks)) == (
        "invalid_blocks"
    )


def test_triggers_expire_and_are_single_use(client: WebClient, workspace: Workspace) -> None:
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}
    view = {"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": [section]}
    trigger = workspace.new_trigger("U0CASEMGR")
    client.views_open(trigger_id=trigger, view=view)
    assert error_of(lambda: client.views_open(trigger_id=trigger, view=view)) == "exchanged_trigger_id"
    workspace.trigger_lifetime = 0.0
    late = workspace.new_trigger("U0CASEMGR")
    assert error_of(lambda: client.views_open(trigger_id=late, view=view)) == "expired_trigger_id"
    long_title = {**view, "title": {"type": "plain_text", "text": "x" * 25}}
    assert error_of(lambda: client.views_open(trigger_id=workspace.new_trigger("U0CASEMGR"), view=long_title)) == (
        "invalid_arguments"
    )


def test_users_and_conversations(client: WebClient) -> None:
    pm = client.users_info(user="W0PARTNERPM")["user"]
    assert (pm["team_id"], pm["is_stranger"]) == ("T0PARTNER", True)
    shared = client.conversations_info(channel="C0SHARED")["channel"]
    assert shared["is_ext_shared"] is True
    assert "T0PARTNER" in shared["shared_team_ids"]
    dm = client.conversations_open(users="U0CASEMGR")["channel"]["id"]
    assert dm.startswith("D")
    assert error_of(lambda: client.users_info(user="U0NOBODY")) == "user_not_found"


def test_rate_limits_and_failures(client: WebClient, workspace: Workspace) -> None:
    workspace.faults.rate_limit("chat.postMessage", retry_after=9)
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel="C0VACANCIES", text="x")
    assert caught.value.response.status_code == 429
    assert caught.value.response.headers["Retry-After"] == "9"
    workspace.faults.fail("chat.postMessage", status=500)
    with pytest.raises(SlackApiError) as failed:
        client.chat_postMessage(channel="C0VACANCIES", text="x")
    assert failed.value.response.status_code == 500
    assert client.chat_postMessage(channel="C0VACANCIES", text="x")["ok"]


def test_posting_faster_than_one_per_second_per_channel_is_rate_limited(
    client: WebClient, workspace: Workspace
) -> None:
    now = [100.0]
    workspace.monotonic = lambda: now[0]
    workspace.post_rate_per_channel = 1.0
    client.chat_postMessage(channel="C0VACANCIES", text="one")
    client.chat_postMessage(channel="C0SHARED", text="another channel is not held up")
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel="C0VACANCIES", text="two")
    assert caught.value.response.status_code == 429
    assert caught.value.response.headers["Retry-After"] == "1"
    now[0] += 1.0
    assert client.chat_postMessage(channel="C0VACANCIES", text="two")["ok"]


def test_thread_replies_with_metadata(client: WebClient) -> None:
    parent = client.chat_postMessage(channel="C0VACANCIES", text="card")["ts"]
    metadata = {"event_type": "t", "event_payload": {"n": 2}}
    client.chat_postMessage(channel="C0VACANCIES", text="reply", thread_ts=parent, metadata=metadata)
    replies = client.conversations_replies(channel="C0VACANCIES", ts=parent, include_all_metadata=True)["messages"]
    assert [m["text"] for m in replies] == ["card", "reply"]
    assert replies[1]["metadata"]["event_payload"] == {"n": 2}
    assert client.conversations_history(channel="C0VACANCIES")["messages"][0]["text"] == "card"  # not the reply
