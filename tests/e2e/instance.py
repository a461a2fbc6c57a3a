"""One Porchlight instance for the multi-instance tests: settings from the environment, the clock from a file.

`python -m tests.e2e.instance` serves as `porchlight run` does, with a worker process beside it
(`python -m tests.e2e.instance worker`, the same clock); prints `READY <url>` and serves until its stdin
closes. Test code only: the product has no such clock.
"""

from __future__ import annotations

import os
import signal
import sys
from datetime import datetime
from pathlib import Path

from bot.app import Runtime, build_app, build_deps, serve_worker
from bot.settings import load_settings


class FileClock:
    """Reads the time from a file the test writes (ISO 8601, UTC)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def now(self) -> datetime:
        return datetime.fromisoformat(self.path.read_text().strip())


def main() -> int:
    settings = load_settings(None)
    deps = build_deps(settings, clock=FileClock(Path(os.environ["PORCHLIGHT_TEST_CLOCK_FILE"])))
    if sys.argv[1:] == ["worker"]:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        serve_worker(deps, sys.stdin.buffer)
        return 0
    worker = [sys.executable, "-m", "tests.e2e.instance", "worker"]
    runtime = Runtime(deps=deps, app=build_app(deps), host="127.0.0.1", port=0, worker_command=worker).start()
    assert runtime.http is not None
    sys.stdout.write(f"READY {runtime.http.url}\n")
    sys.stdout.flush()
    sys.stdin.read()
    runtime.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
