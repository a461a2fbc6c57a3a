"""With no Slack credentials, the README's run command (and `porchlight sandbox`) starts the local workspace and
prints the page's URL; the page is served there. Real processes, stopped at the end."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
URL = re.compile(r"Open (http://127\.0\.0\.1:\d+/) in your browser")
START_WITHIN = 120.0  # a bound for a broken build, not a timing test: a first start migrates a new database


def no_credentials() -> dict[str, str]:
    """This environment without any Slack or Porchlight settings; SLACK_BOT_TOKEN set but blank wins over any .env
    a developer keeps here (as it does in Porchlight's settings)."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PORCHLIGHT_", "DATABASE_"))}
    return {**inherited, "PYTHONPATH": str(ROOT), "SLACK_BOT_TOKEN": ""}


@pytest.fixture
def started(tmp_path: Path) -> Iterator[list[subprocess.Popen[str]]]:
    """Processes a test starts; each is stopped (its whole process group: dev.py runs the launcher as a child)."""
    processes: list[subprocess.Popen[str]] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def start(started: list[subprocess.Popen[str]], argv: list[str]) -> tuple[str, list[str]]:
    """Start `argv` in the repository; (the URL it printed, the lines before it)."""
    process = subprocess.Popen(
        argv, cwd=ROOT, env=no_credentials(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    started.append(process)
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    seen: list[str] = []
    while True:
        try:
            line = lines.get(timeout=START_WITHIN)
        except queue.Empty:
            raise AssertionError("no URL printed:\n" + "".join(seen)) from None
        if line is None:
            raise AssertionError("it stopped without printing a URL:\n" + "".join(seen))
        seen.append(line)
        if found := URL.search(line):
            return found.group(1), seen


def assert_serves_the_page(url: str) -> None:
    page = httpx.get(url, timeout=10)
    assert page.status_code == 200
    assert "<title>Porchlight sandbox</title>" in page.text
    snapshot = httpx.get(url + "ui/snapshot", params={"as": "U0CASEMGR"}, timeout=10).json()
    assert {c["name"] for c in snapshot["channels"]} >= {"vacancies", "maple-court-shared"}
    assert "/vacancy" in {c["command"] for c in snapshot["commands"]}


def test_porchlight_sandbox_prints_the_url_and_serves_the_page(
    started: list[subprocess.Popen[str]], tmp_path: Path
) -> None:
    database = tmp_path / "cli-sandbox.db"
    url, _ = start(started, [sys.executable, "-m", "bot", "sandbox", "--port", "0", "--database", str(database)])
    assert_serves_the_page(url)
    assert database.exists()


def test_dev_py_run_without_credentials_opens_the_local_workspace(
    started: list[subprocess.Popen[str]], tmp_path: Path
) -> None:
    database = tmp_path / "dev-sandbox.db"
    argv = [sys.executable, "dev.py", "run", "--demo", "--port", "0", "--database", str(database)]
    url, said = start(started, argv)
    assert any("No Slack credentials" in line for line in said)
    assert_serves_the_page(url)


def test_the_sandbox_will_not_remove_a_database_that_is_not_its_own(tmp_path: Path) -> None:
    precious = tmp_path / "porchlight.db"
    precious.write_bytes(b"a real community's data")
    result = subprocess.run(
        [sys.executable, "-m", "sandbox.launch", "--port", "0", "--database", str(precious)],
        cwd=ROOT, env=no_credentials(), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert "not a sandbox database" in result.stderr
    assert "Traceback" not in result.stderr
    assert precious.read_bytes() == b"a real community's data"
