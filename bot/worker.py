"""The worker process: the scheduler (outbox delivery, scheduled work) away from the process that answers Slack.

`porchlight run` serves Slack in one process and starts `porchlight worker --supervised` beside it. Delivering a
card costs a few database transactions and Slack calls (about 25 ms of CPU for a new vacancy); in the serving
process that work held the GIL while the next request waited for it (docs/performance.md). The database is the
queue, so the two processes share nothing else: the server writes the byte `w` to the worker's stdin to say
"there is something to deliver now", and closes it to say "stop". A worker that dies is started again, and
the outbox rows it had claimed are released at once (`on_exit`), so their channels do not wait for the claim to
lapse.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import IO

from bot.claimant import CLAIMANT_ENV, new_claimant

log = logging.getLogger("porchlight.worker")
WAKE = b"w"
RESTART_DELAYS = (1.0, 2.0, 5.0, 10.0, 30.0)  # seconds before starting a dead worker again, growing while it dies
STEADY = 60.0  # a worker that ran this long before dying starts the delays over
STOP_TIMEOUT = 30.0


def default_command() -> list[str]:
    return [sys.executable, "-m", "bot", "worker", "--supervised"]


class WorkerProcess:
    """The serving process's handle on its worker: start it, wake it, restart it if it dies, stop it."""

    def __init__(self, command: Sequence[str] | None = None, *, on_exit: Callable[[str], None] | None = None) -> None:
        """`on_exit` is called with the claimant name of each worker that has exited (see bot.claimant)."""
        self._command = list(command or default_command())
        self._on_exit = on_exit
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._process: subprocess.Popen[bytes] | None = None
        self._claimant = ""
        self._watcher = threading.Thread(target=self._watch, name="worker-watch", daemon=True)
        self.restarts = 0

    @property
    def pid(self) -> int | None:
        process = self._process
        return process.pid if process is not None else None

    def start(self) -> WorkerProcess:
        self._spawn()
        self._watcher.start()
        return self

    def wake(self) -> None:
        """Ask for delivery now. Never blocks a listener: if the worker is busy or restarting, its own
        one-second tick delivers what is waiting."""
        with self._lock:
            stdin = self._process.stdin if self._process is not None else None
            if stdin is None:
                return
            try:
                stdin.write(WAKE)
                stdin.flush()
            except (OSError, ValueError):  # BrokenPipeError, BlockingIOError; ValueError: the pipe is closed
                pass  # the worker is gone (the watcher starts a new one) or its pipe is full (it is awake anyway)

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Close the worker's stdin (it finishes the delivery in hand and exits); terminate it if it lingers."""
        self._stopping.set()
        with self._lock:
            process = self._process
        if process is None:
            return
        _close(process.stdin)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            log.warning("worker %s did not stop within %.0f s; terminating it", process.pid, timeout)
            process.terminate()
            process.wait(timeout=10)
        self._watcher.join(timeout=5)

    def _spawn(self) -> None:
        claimant = new_claimant()
        env = {**os.environ, CLAIMANT_ENV: claimant}
        # Our own command (`python -m bot worker` or a test harness), never anything a user typed.
        process = subprocess.Popen(self._command, stdin=subprocess.PIPE, bufsize=0, env=env)  # noqa: S603
        assert process.stdin is not None
        os.set_blocking(process.stdin.fileno(), False)
        with self._lock:
            self._process, self._claimant = process, claimant
        log.info("worker started (pid %s)", process.pid)

    def _watch(self) -> None:
        failures = 0
        while True:
            process, claimant = self._process, self._claimant
            assert process is not None
            started = time.monotonic()
            code = process.wait()
            self._exited(claimant)
            if self._stopping.is_set():
                return
            if time.monotonic() - started >= STEADY:
                failures = 0  # it had been running fine: a crash a day should not wait the longest delay
            delay = RESTART_DELAYS[min(failures, len(RESTART_DELAYS) - 1)]
            log.error("worker (pid %s) exited with %s; starting another in %.0f s", process.pid, code, delay)
            failures += 1
            if self._stopping.wait(delay):
                return
            try:
                self._spawn()
                self.restarts += 1
            except OSError:
                log.exception("could not start the worker; trying again")

    def _exited(self, claimant: str) -> None:
        if self._on_exit is None:
            return
        try:
            self._on_exit(claimant)
        except Exception:  # the database may be down too; the claims then lapse on their own
            log.exception("could not release what the exited worker held")


def _close(stream: IO[bytes] | None) -> None:
    if stream is not None:
        with contextlib.suppress(OSError):
            stream.close()


def read_wakes(wakes: IO[bytes], on_wake: Callable[[], None], stop: threading.Event) -> None:
    """Call `on_wake` for each read from `wakes`, until its end (the server closed it, or died) or `stop`."""
    reader = threading.Thread(target=_pump, args=(wakes, on_wake, stop), name="worker-wakes", daemon=True)
    reader.start()
    stop.wait()


def _pump(wakes: IO[bytes], on_wake: Callable[[], None], stop: threading.Event) -> None:
    try:
        while not stop.is_set():
            chunk = os.read(wakes.fileno(), 512)
            if not chunk:
                break  # end of file: the server closed our stdin, or died
            on_wake()
    finally:
        stop.set()
