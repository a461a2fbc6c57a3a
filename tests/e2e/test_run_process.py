"""`porchlight run` as an operator starts it: a server process and its worker, SQLite shared between them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from sandbox import SandboxServer, SlackSide, Workspace
from storage import outbox
from storage.db import make_engine, make_session_factory
from tests.conftest import CASE_MANAGER, VACANCIES
from tests.e2e.board_helpers import SHARED, UNIT, add_property, cards, log_unit, only_view
from tests.e2e.helpers import eventually, process_env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def children(pid: int) -> set[int]:
    """Child processes of `pid`, whichever of its threads started them."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found.update(int(c) for c in (task / "children").read_text().split())
        except OSError:
            continue  # a thread that ended meanwhile
    return found


class PorchlightRun:
    """`python -m bot run` as an operator starts it, its output in a log file. Leaving the block kills it if it is
    still running and prints the log (pytest shows it when the test fails)."""

    def __init__(self, tmp_path: Path, env: dict[str, str]) -> None:
        self.log_path = tmp_path / "porchlight.log"
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env, stderr=self._log, stdout=self._log
        )

    def __enter__(self) -> PorchlightRun:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self._log.close()
        print(self.text())  # noqa: T201

    def text(self) -> str:
        return self.log_path.read_text()


def test_run_serves_while_its_worker_delivers_and_a_killed_worker_comes_back(
    tmp_path: Path, workspace: Workspace, sandbox: SandboxServer
) -> None:
    workspace.clock = time.time  # the bot runs on the real clock here
    port = free_port()
    env = process_env(
        sandbox.api_url, f"sqlite:///{tmp_path}/porchlight.db", PORCHLIGHT_PORT=str(port), PORCHLIGHT_LOG_LEVEL="INFO"
    )
    with PorchlightRun(tmp_path, env) as run:
        server = run.process
        eventually(lambda: _healthy(port), what="porchlight run listening", within=30)
        slack = SlackSide(workspace, bot_url=f"http://127.0.0.1:{port}/slack/events", sandbox_url=sandbox.base_url)
        today = datetime.now(UTC).astimezone(ZoneInfo("America/Chicago")).date().isoformat()

        add_property(slack, workspace)
        log_unit(slack, workspace, available_on=today)  # waits for the card: the worker delivered it
        eventually(lambda: cards(workspace, SHARED), what="the card in the shared channel")
        eventually(lambda: confirmed(workspace, "V-1"), what="the confirmation")
        (first_worker,) = children(server.pid)
        # The worker yields the CPU to the server that answers Slack.
        assert os.getpriority(os.PRIO_PROCESS, first_worker) == min(
            19, os.getpriority(os.PRIO_PROCESS, server.pid) + 10
        )

        # What the worker found due at start (last month's report, the property's message) goes out first, so that
        # the delay below is the second card's.
        eventually(lambda: _nothing_pending(tmp_path / "porchlight.db"), what="the start-up posts delivered", within=30)
        # Killed mid-delivery: Slack has taken the second card but is slow to answer (inside the client's timeout).
        workspace.faults.delay("chat.postMessage", seconds=8, after_effect=True)
        log_unit(slack, workspace, available_on=today)  # the card is on the board; the worker awaits Slack's answer
        os.kill(first_worker, signal.SIGKILL)
        eventually(lambda: children(server.pid) - {first_worker}, what="a new worker started", within=30)
        # The server hands what the dead worker held to the new one at once (a claim alone lasts a minute): it
        # finds the card already posted, posts no second one, and sends what waited behind it.
        eventually(lambda: confirmed(workspace, "V-2"), what="the second confirmation, well within a minute", within=20)
        eventually(lambda: len(cards(workspace, SHARED)) == 2, what="the second card in the shared channel")
        assert len(cards(workspace, VACANCIES)) == 2

        # Stopped right after a submission: the save, then its card, still go out before both processes exit.
        form = _open_form(slack, workspace)
        options = next(b for b in form.view["blocks"] if b.get("block_id") == "property_id")["element"]["options"]
        values = {**UNIT, "property_id": options[0]["value"], "available_on": today}
        assert slack.submit_view(form, user=CASE_MANAGER, values=values).closed
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
        assert len(cards(workspace, VACANCIES)) == 3
    text = run.text()
    assert "exited with -9; starting another" in text
    assert "released 1 deliveries the worker left unfinished" in text
    assert "Traceback" not in text
    assert not Path(f"/proc/{first_worker}").exists()


def test_run_in_socket_mode_connects_serves_and_stops_cleanly(tmp_path: Path, workspace: Workspace) -> None:
    """The common deployment: SLACK_APP_TOKEN set, no public URL, no signing secret."""
    workspace.clock = time.time
    with SandboxServer(workspace, socket_mode=True) as sandbox:
        assert sandbox.socket is not None
        env = process_env(
            sandbox.api_url, f"sqlite:///{tmp_path}/porchlight.db", SLACK_APP_TOKEN=workspace.app_token,
            PORCHLIGHT_LOG_LEVEL="INFO",
        )  # fmt: skip
        del env["SLACK_SIGNING_SECRET"]
        with PorchlightRun(tmp_path, env) as run:
            sandbox.socket.wait_connected(timeout=30)
            slack = SlackSide(workspace, bot_url="", sandbox_url=sandbox.base_url, socket=sandbox.socket)
            today = datetime.now(UTC).astimezone(ZoneInfo("America/Chicago")).date().isoformat()
            add_property(slack, workspace)
            log_unit(slack, workspace, available_on=today)  # its card, delivered by the worker process
            eventually(lambda: confirmed(workspace, "V-1"), what="the confirmation")
            run.process.send_signal(signal.SIGTERM)
            assert run.process.wait(timeout=30) == 0
            eventually(lambda: sandbox.socket is not None and sandbox.socket.connected == 0, what="the socket closed")
    text = run.text()
    assert "connected to Slack in Socket Mode" in text
    assert "Traceback" not in text


def confirmed(workspace: Workspace, vacancy: str) -> bool:
    return any(f"Posted vacancy {vacancy}" in e.text for e in workspace.ephemerals)


def _open_form(slack: SlackSide, workspace: Workspace) -> Any:
    slack.slash_command(user=CASE_MANAGER, channel=VACANCIES, command="/vacancy")
    return only_view(workspace, CASE_MANAGER)


def _healthy(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _nothing_pending(database: Path) -> bool:
    engine = make_engine(f"sqlite:///{database}")
    try:
        with make_session_factory(engine)() as session:
            return outbox.pending_count(session) == 0
    finally:
        engine.dispose()
