"""HTTP mode behind a WSGI server: `bot.wsgi:create_application()` serves, a separate `porchlight worker` delivers."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.app import build_deps, serve_worker
from bot.errors import SettingsError
from bot.http import HttpServer
from bot.settings import Settings
from bot.wsgi import create_application
from sandbox import SandboxServer, SlackSide, Workspace
from tests.conftest import make_settings
from tests.e2e.board_helpers import SHARED, add_property, cards, log_unit
from tests.e2e.helpers import eventually


def test_a_wsgi_server_answers_slack_and_a_worker_beside_it_delivers(
    workspace: Workspace, sandbox: SandboxServer, settings_factory: Callable[..., Settings]
) -> None:
    workspace.clock = time.time  # both sides on the real clock: the application is built as in production
    settings = settings_factory()
    # Any WSGI server will do; the standard library's is the one at hand in a test.
    server = HttpServer(create_application(settings), host="127.0.0.1", port=0).start()
    slack = SlackSide(workspace, bot_url=server.url, sandbox_url=sandbox.base_url)
    stop = threading.Event()
    worker = threading.Thread(target=serve_worker, args=(build_deps(settings), None), kwargs={"stop": stop})
    try:
        today = datetime.now(UTC).astimezone(ZoneInfo(settings.timezone)).date().isoformat()
        add_property(slack, workspace)
        worker.start()  # a worker on its own ticks: nobody wakes it
        log_unit(slack, workspace, available_on=today)  # waits for the card on the board
        eventually(lambda: cards(workspace, SHARED), what="the card in the shared channel")
        eventually(lambda: [e for e in workspace.ephemerals if "Posted vacancy V-1" in e.text], what="confirmation")
    finally:
        stop.set()
        if worker.is_alive():
            worker.join(timeout=30)
        slack.close()
        server.stop()


def test_without_a_signing_secret_the_application_says_what_to_set(database_url: str) -> None:
    settings = make_settings(SLACK_SIGNING_SECRET=None, SLACK_APP_TOKEN="xapp-1-token", DATABASE_URL=database_url)
    with pytest.raises(SettingsError) as caught:
        create_application(settings)
    assert [p.split(":")[0] for p in caught.value.problems] == ["SLACK_SIGNING_SECRET"]
    assert "Signing Secret" in caught.value.problems[0]


def test_the_wsgi_application_refuses_a_timestamp_that_is_not_a_number_in_one_line(
    workspace: Workspace, sandbox: SandboxServer, settings_factory: Callable[..., Settings], caplog: Any
) -> None:
    server = HttpServer(create_application(settings_factory()), host="127.0.0.1", port=0).start()
    slack = SlackSide(workspace, bot_url=server.url, sandbox_url=sandbox.base_url)
    try:
        caplog.clear()
        headers = {"X-Slack-Request-Timestamp": "not-a-number", "X-Slack-Signature": "v0=" + "0" * 64}
        response = slack.post("command=%2Fvacancy", "application/x-www-form-urlencoded", headers=headers, sign=False)
        assert response.status_code == 401
        assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1
        assert not [r for r in caplog.records if r.exc_info]
        deep = slack.post("[" * 5000 + "]" * 5000, "application/json")
        assert deep.status_code == 400
    finally:
        slack.close()
        server.stop()
