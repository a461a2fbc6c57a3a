"""The serving process's handle on its worker process: wakes reach it, closing stops it, a dead one comes back."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

from bot import worker
from bot.worker import WorkerProcess
from tests.e2e.helpers import eventually

# A stand-in worker: counts the wakes it reads into a file, exits 0 at the end of its stdin. With a `crash`
# file present, it deletes that file and dies at once with exit code 3 (the next one lives). Each one first
# notes the claimant name it was given in a `claimants` file beside `wakes`.
FAKE = """
import os, sys
out, crash = sys.argv[1], sys.argv[2]
with open(os.path.join(os.path.dirname(out), "claimants"), "a") as names:
    names.write(os.environ["PORCHLIGHT_CLAIMANT"] + "\\n")
if os.path.exists(crash):
    os.remove(crash)
    sys.exit(3)
n = 0
while chunk := os.read(0, 512):
    n += len(chunk)
    open(out, "w").write(str(n))
"""


def fake(tmp_path: Path) -> tuple[list[str], Path, Path]:
    out, crash = tmp_path / "wakes", tmp_path / "crash"
    return [sys.executable, "-c", FAKE, str(out), str(crash)], out, crash


def test_wakes_reach_the_worker_and_closing_its_stdin_stops_it(tmp_path: Path) -> None:
    command, out, _ = fake(tmp_path)
    process = WorkerProcess(command).start()
    process.wake()
    process.wake()
    eventually(lambda: out.exists() and out.read_text() == "2", what="two wakes read")
    pid = process.pid
    process.stop(timeout=10)
    assert process._process is not None and process._process.returncode == 0  # it ended itself, not killed
    assert process.restarts == 0 and process.pid == pid


def test_a_worker_that_dies_is_started_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker, "RESTART_DELAYS", (0.05,))
    command, out, crash = fake(tmp_path)
    crash.write_text("die once")
    exited: list[str] = []
    process = WorkerProcess(command, on_exit=exited.append).start()
    eventually(lambda: process.restarts == 1, what="the worker started again")
    eventually(lambda: not crash.exists(), what="the first worker gone")
    process.wake()
    eventually(lambda: out.exists() and out.read_text() == "1", what="the new worker woken")
    first, second = (tmp_path / "claimants").read_text().split()
    assert first != second
    assert exited == [first]  # what the dead worker held can be released at once
    process.stop(timeout=10)
    assert process.restarts == 1
    assert exited == [first, second]


def test_waking_a_worker_that_is_gone_does_not_raise(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker, "RESTART_DELAYS", (60.0,))  # it stays dead for the length of the test
    command, _, crash = fake(tmp_path)
    crash.write_text("die")
    process = WorkerProcess(command).start()
    eventually(lambda: not crash.exists() and process._process is not None and process._process.poll() == 3,
               what="the worker dead")  # fmt: skip
    for _ in range(3):
        process.wake()  # a broken pipe: nothing to tell the listener that asked
    process.stop(timeout=10)


def test_a_worker_that_had_run_a_while_is_restarted_after_the_shortest_delay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worker, "RESTART_DELAYS", (0.05, 60.0))  # a second quick death would wait a minute
    monkeypatch.setattr(worker, "STEADY", 0.0)  # every worker here counts as having run a while
    command, _, crash = fake(tmp_path)
    crash.write_text("die once")
    process = WorkerProcess(command).start()
    eventually(lambda: process.restarts == 1, what="the worker started again")
    second = process.pid
    assert second is not None
    os.kill(second, signal.SIGKILL)
    eventually(lambda: process.restarts == 2, what="the worker started again at once")
    process.stop(timeout=10)
