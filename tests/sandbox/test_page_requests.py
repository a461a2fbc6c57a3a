"""The local workspace's page acts as anyone, so only the page on this machine may use it: a web page elsewhere that
posts to it (a form can send text/plain, not JSON, without a CORS preflight) or reaches it under a name of its own
resolving to 127.0.0.1 (DNS rebinding) is refused, and nothing happens."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.clock import ManualClock
from bot.slack import ids
from sandbox import launch
from tests.conftest import CASE_MANAGER, START, VACANCIES
from tests.e2e.helpers import eventually


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[launch.Sandbox]:
    run = launch.start(database=tmp_path / "page-sandbox.db", port=0, clock=ManualClock(START))
    yield run
    run.stop()


def say(text: str) -> str:
    return json.dumps({"op": "say", "as": CASE_MANAGER, "channel": VACANCIES, "text": text})


def said(sandbox: launch.Sandbox) -> list[str]:
    return [m.text for m in sandbox.workspace.messages(VACANCIES)]


def test_a_cross_site_form_post_is_refused_and_nothing_is_said(sandbox: launch.Sandbox) -> None:
    url = sandbox.url + "ui/do"
    response = httpx.post(url, content=say("from a form elsewhere"), timeout=10,
                          headers={"Content-Type": "text/plain", "Origin": "https://elsewhere.example"})  # fmt: skip
    assert response.status_code == 403
    assert "from a form elsewhere" not in said(sandbox)


def test_a_request_under_another_host_name_is_refused(sandbox: launch.Sandbox) -> None:
    url = sandbox.url + "ui/do"
    rebound = {"Content-Type": "application/json", "Host": "rebound.example:3980"}
    assert httpx.post(url, content=say("rebound"), headers=rebound, timeout=10).status_code == 403
    assert httpx.get(sandbox.url, headers={"Host": "rebound.example"}, timeout=10).status_code == 403
    snapshot = httpx.get(sandbox.url + "ui/snapshot", params={"as": CASE_MANAGER}, headers={"Host": "rebound.example"},
                         timeout=10)  # fmt: skip
    assert snapshot.status_code == 403
    assert "rebound" not in said(sandbox)


def test_the_page_itself_is_served_and_acts(sandbox: launch.Sandbox) -> None:
    assert httpx.get(sandbox.url, timeout=10).status_code == 200
    port = sandbox.url.rstrip("/").rsplit(":", 1)[1]
    assert httpx.get(sandbox.url, headers={"Host": f"localhost:{port}"}, timeout=10).status_code == 200
    response = httpx.post(sandbox.url + "ui/do", content=say("hello from the page"), timeout=10,
                          headers={"Content-Type": "application/json"})  # fmt: skip
    assert (response.status_code, response.json()["ok"]) == (200, True)
    assert "hello from the page" in said(sandbox)


@pytest.fixture
def demo_sandbox(tmp_path: Path) -> Iterator[launch.Sandbox]:
    run = launch.start(database=tmp_path / "page-demo.db", port=0, clock=ManualClock(START), demo_data=True)
    yield run
    run.stop()


def test_a_message_shortcut_from_the_page_opens_the_form_for_that_message(demo_sandbox: launch.Sandbox) -> None:
    sandbox = demo_sandbox
    do = sandbox.url + "ui/do"
    httpx.post(do, content=say("The PM says the lockout goes ahead on Friday"), timeout=10,
               headers={"Content-Type": "application/json"})  # fmt: skip
    [message] = [m for m in sandbox.workspace.messages(VACANCIES) if "lockout" in m.text]
    asked = {"op": "shortcut", "as": CASE_MANAGER, "channel": VACANCIES, "ts": message.ts,
             "callback_id": ids.SHORTCUT_ESCALATE}  # fmt: skip
    response = httpx.post(do, content=json.dumps(asked), headers={"Content-Type": "application/json"}, timeout=10)
    assert (response.status_code, response.json()["ok"]) == (200, True)
    [form] = eventually(lambda: sandbox.workspace.open_views(CASE_MANAGER), what="the escalation form")
    assert "its text is not copied" in json.dumps(form.view)
    assert json.loads(form.view["private_metadata"]) == {"channel": VACANCIES, "ts": message.ts}  # the case links it
