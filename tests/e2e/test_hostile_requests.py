"""Hostile or broken requests through real HTTP: never a 5xx, one log line and no traceback, nothing stored twice."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import func, select

from bot.http import HttpServer, SlackEndpoint
from sandbox import SlackSide, Workspace
from storage.models import Referral, Vacancy
from tests.conftest import CASE_MANAGER, COORDINATOR, PARTNER_PM, VACANCIES
from tests.e2e.board_helpers import SHARED, add_property, cards, log_unit, only_view, thread
from tests.e2e.helpers import eventually

FORM = "application/x-www-form-urlencoded"


def problems(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


def assert_one_line_no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    lines = problems(caplog)
    assert len(lines) == 1, [r.getMessage() for r in lines]
    assert not [r for r in caplog.records if r.exc_info]
    assert "Traceback" not in caplog.text


def test_a_timestamp_that_is_not_a_number_is_refused_in_one_line(
    slack: SlackSide, caplog: pytest.LogCaptureFixture
) -> None:
    body = "command=%2Fvacancy&text=help&user_id=U0CASEMGR&team_id=T0PORCH"
    for timestamp in ("soon", "1e9", "9" * 5000):
        caplog.clear()
        headers = {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": "v0=" + "0" * 64}
        response = slack.post(body, FORM, headers=headers, sign=False)
        assert response.status_code == 401
        assert_one_line_no_traceback(caplog)


def test_signed_json_nested_thousands_deep_is_a_400(slack: SlackSide, caplog: pytest.LogCaptureFixture) -> None:
    deep = [
        "[" * 5000 + "]" * 5000,  # deeper than the JSON parser goes: a RecursionError
        '{"a":' * 5000 + "1" + "}" * 5000,
        json.dumps({"type": "event_callback", "event": {"type": "message", "x": json.loads("[" * 60 + "]" * 60)}}),
    ]
    for body in deep:
        caplog.clear()
        response = slack.post(body, "application/json" if not body.startswith("payload") else FORM)
        assert response.status_code == 400
        assert_one_line_no_traceback(caplog)


def _interactive(payload: dict[str, Any]) -> str:
    return "payload=" + quote(json.dumps(payload))


CLICKER = {"id": CASE_MANAGER, "team_id": "T0PORCH"}


@pytest.mark.parametrize(
    ("name", "payload"),
    [
        ("actions empty", {"type": "block_actions", "user": CLICKER, "actions": []}),
        ("actions not a list", {"type": "block_actions", "user": CLICKER, "actions": "vacancy_fill"}),
        ("actions of strings", {"type": "block_actions", "user": CLICKER, "actions": ["vacancy_fill"]}),
        ("view a string", {"type": "view_submission", "user": CLICKER, "view": "vacancy_new"}),
        ("view without state", {"type": "view_submission", "user": CLICKER,
                                "view": {"id": "V1", "type": "modal", "callback_id": "vacancy_new"}}),
    ],
)  # fmt: skip
def test_a_malformed_click_or_submission_gets_a_plain_200_and_nothing_is_done(
    slack: SlackSide, running_bot: Any, name: str, payload: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    response = slack.post(_interactive(payload), FORM)
    assert (response.status_code, response.content) == (200, b"")
    assert_one_line_no_traceback(caplog)
    with running_bot.deps.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Vacancy)) == 0


def test_a_person_whose_click_was_malformed_is_told_to_try_again(
    slack: SlackSide, workspace: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    with workspace.lock:
        url = workspace.new_response_url(slack.sandbox_url, user=CASE_MANAGER, channel=VACANCIES)
    payload = {"type": "block_actions", "user": CLICKER, "actions": [], "response_url": url}
    assert slack.post(_interactive(payload), FORM).status_code == 200
    eventually(lambda: [e for e in workspace.ephemerals_for(CASE_MANAGER) if "try again" in e.text], what="told")
    assert_one_line_no_traceback(caplog)


@pytest.mark.parametrize(
    ("name", "event"),
    [
        ("event null", None),
        ("event a string", "app_home_opened"),
        ("message from an object", {"type": "message", "user": {"id": "U1"}, "channel": VACANCIES, "ts": "1.2"}),
    ],
)
def test_a_malformed_event_is_a_400(slack: SlackSide, name: str, event: Any, caplog: pytest.LogCaptureFixture) -> None:
    response = slack.event(event)
    assert response.status_code == 400
    assert_one_line_no_traceback(caplog)


def test_app_home_opened_without_a_user_publishes_nothing(
    slack: SlackSide, workspace: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    response = slack.event({"type": "app_home_opened", "tab": "home", "channel": "D0HOME"})
    assert response.status_code == 200
    assert_one_line_no_traceback(caplog)


def _tamper_button(workspace: Workspace, channel: str, ts: str, action_id: str, value: str) -> None:
    with workspace.lock:
        message = next(m for m in workspace.channels[channel].messages if m.ts == ts)
        for block in message.blocks:
            for element in block.get("elements", []) if block.get("type") == "actions" else []:
                if element.get("action_id") == action_id:
                    element["value"] = value


@pytest.mark.parametrize("value", ["²", str(2**63), "1e30"])
def test_a_tampered_button_value_is_a_stale_button_and_changes_nothing(
    slack: SlackSide, workspace: Workspace, running_bot: Any, value: str, caplog: pytest.LogCaptureFixture
) -> None:
    add_property(slack, workspace)
    card = log_unit(slack, workspace)
    _tamper_button(workspace, VACANCIES, card.ts, "vacancy_fill", value)
    caplog.clear()
    response = slack.click(user=COORDINATOR, channel=VACANCIES, message_ts=card.ts, action_id="vacancy_fill")
    assert response.status_code == 200
    eventually(lambda: [e for e in workspace.ephemerals_for(COORDINATOR) if "no longer works" in e.text], what="told")
    assert not [r for r in caplog.records if r.exc_info]
    with running_bot.deps.session_factory() as session:
        assert session.scalars(select(Vacancy.status)).one() == "open"


@pytest.mark.parametrize("row", ["²", 2**63, 1e30])
def test_a_form_with_tampered_private_metadata_is_out_of_date_and_stores_nothing(
    slack: SlackSide, workspace: Workspace, running_bot: Any, row: Any, caplog: pytest.LogCaptureFixture
) -> None:
    add_property(slack, workspace)
    card = log_unit(slack, workspace)
    slack.click(user=CASE_MANAGER, channel=VACANCIES, message_ts=card.ts, action_id="vacancy_refer")
    form = only_view(workspace, CASE_MANAGER)
    form.view["private_metadata"] = json.dumps({"row_id": row})
    caplog.clear()
    values = {"client_code": "CM-20431", "household_size": "3", "subsidy": "hcv", "roi": "yes", "note": ""}
    result = slack.submit_view(form, user=CASE_MANAGER, values=values)
    assert result.status == 200 and "out of date" in result.errors["client_code"]
    assert not [r for r in caplog.records if r.exc_info]
    with running_bot.deps.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Referral)) == 0


def _refer(slack: SlackSide, workspace: Workspace, card_ts: str) -> Any:
    slack.click(user=CASE_MANAGER, channel=VACANCIES, message_ts=card_ts, action_id="vacancy_refer")
    form = only_view(workspace, CASE_MANAGER)
    values = {"client_code": "CM-20431", "household_size": "3", "subsidy": "hcv", "roi": "yes", "note": ""}
    return slack.submit_view(form, user=CASE_MANAGER, values=values)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_response_url_does_not_undo_a_committed_click(
    slack: SlackSide, workspace: Workspace, running_bot: Any, caplog: pytest.LogCaptureFixture, monkeypatch: Any
) -> None:
    add_property(slack, workspace)
    card = log_unit(slack, workspace)
    assert _refer(slack, workspace, card.ts).closed
    shared = eventually(lambda: cards(workspace, SHARED), what="shared card")[0]
    notice = eventually(lambda: [m for m in thread(workspace, SHARED, shared.ts) if "R-1" in m.text], what="notice")[0]
    gone = f"http://127.0.0.1:{_closed_port()}/response/gone"
    monkeypatch.setattr(workspace, "new_response_url", lambda base, *, user, channel: gone)
    caplog.clear()
    response = slack.click(
        user=PARTNER_PM, channel=SHARED, message_ts=notice.ts, action_id="referral_accept", thread_ts=shared.ts
    )
    assert response.status_code == 200
    with running_bot.deps.session_factory() as session:
        assert session.scalars(select(Referral.status)).one() == "accepted"  # the change stands
    told = [e.text for e in workspace.ephemerals_for(PARTNER_PM)]
    assert [t for t in told if "Accepted R-1" in t]  # told another way: an ephemeral message in the channel
    assert not [t for t in told if "nothing was changed" in t]
    assert_one_line_no_traceback(caplog)


def test_a_replayed_submission_stores_once(
    slack: SlackSide, workspace: Workspace, running_bot: Any, monkeypatch: Any, caplog: pytest.LogCaptureFixture
) -> None:
    sent: list[tuple[str, str, dict[str, str]]] = []
    post = slack.post

    def recording(body: str, content_type: str, *, headers: Any = None, sign: bool = True) -> httpx.Response:
        signed = {**(slack.signed_headers(body) if sign else {}), **(headers or {})}
        sent.append((body, content_type, signed))
        return post(body, content_type, headers=signed, sign=False)

    monkeypatch.setattr(slack, "post", recording)
    add_property(slack, workspace)
    log_unit(slack, workspace)
    vacancy_submission = sent[-1]
    assert _refer(slack, workspace, cards(workspace, VACANCIES)[0].ts).closed
    referral_submission = sent[-1]
    property_submission = next(s for s in sent if "property_edit" in s[0])

    for body, content_type, headers in (vacancy_submission, referral_submission, property_submission):
        assert post(body, content_type, headers=headers, sign=False).status_code == 200  # same body, same signature
    running_bot.deps.after_ack.shutdown()  # the vacancy is stored after the answer: wait for that work
    with running_bot.deps.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Vacancy)) == 1
        assert session.scalar(select(func.count()).select_from(Referral)) == 1
    assert len([r for r in caplog.records if "replayed" in r.getMessage()]) == 3
    assert not [r for r in caplog.records if r.exc_info]


# -- HTTP mode's own bounds: slow clients are cut off, and connections beyond the bound wait their turn --------


def _half_sent(url: str, *, headers_done: bool) -> socket.socket:
    host, port = url.removeprefix("http://").split("/")[0].split(":")
    conn = socket.create_connection((host, int(port)), timeout=30)  # the client's own safety net only
    if headers_done:  # the headers, then 3 of the 100 bytes they promise
        conn.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc")
    else:  # not even the end of the headers
        conn.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\n")
    return conn


def _answer(conn: socket.socket) -> bytes:
    data = b""
    while chunk := conn.recv(4096):
        data += chunk
    conn.close()
    return data


def _serving_threads() -> int:
    return sum(1 for t in threading.enumerate() if "process_request_thread" in t.name)


def test_slow_clients_are_cut_off_and_connections_are_bounded(
    slack: SlackSide, running_bot: Any, caplog: pytest.LogCaptureFixture
) -> None:
    endpoint = SlackEndpoint(running_bot.app, signing_secret=slack.workspace.signing_secret)
    server = HttpServer(endpoint, host="127.0.0.1", port=0, read_timeout=0.3, max_connections=2, queue_wait=60)
    server.start()
    try:
        before = _serving_threads()
        slow = [_half_sent(server.url, headers_done=i % 2 == 0) for i in range(6)]
        most = 0
        answers: list[bytes] = []
        readers = [threading.Thread(target=lambda c=c: answers.append(_answer(c))) for c in slow]
        for reader in readers:
            reader.start()
        while any(r.is_alive() for r in readers):
            most = max(most, _serving_threads() - before)
            time.sleep(0.01)  # sampling only; nothing below is a timed assertion
        assert most <= 2  # six half-sent requests, never more than two threads
        assert len(answers) == 6
        assert all(a == b"" or a.startswith(b"HTTP/1.0 408") for a in answers), answers  # each one cut off
        assert any(a.startswith(b"HTTP/1.0 408") for a in answers)  # a half-sent body hears why
        # ... and a real request is served once the slow ones are gone.
        side = SlackSide(slack.workspace, bot_url=server.url, sandbox_url=slack.sandbox_url)
        try:
            assert side.post("command=%2Fvacancy&text=help", FORM).status_code == 200
        finally:
            side.close()
    finally:
        server.stop()
    assert not [r for r in caplog.records if r.exc_info]
