"""A server process for the benchmarks: Porchlight itself, or a bare Bolt app that only acks, served the same way.

Porchlight runs as `porchlight run` does: this process serves and a worker process delivers. Prints
`READY <url> <worker pid>` (0 for the bare apps; the url is `socket` with --socket), serves until stdin closes,
then prints the peak RSS of this process plus its worker's (`PEAK_KB <n>`). With --socket, the app connects in
Socket Mode instead (to the URL the workspace's `apps.connections.open` gives) and opens no port.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.http import HttpServer, SlackEndpoint
from bot.settings import load_settings

SECRET = "sandbox-secret"
APP_TOKEN = "xapp-1-A0PORCH-sandbox-token"


def bare_app(api_url: str, *, process_before_response: bool) -> App:
    """The fastest thing that can answer Slack: every listener only acks."""
    app = App(
        client=WebClient(token="xoxb-sandbox-token", base_url=api_url),
        signing_secret=SECRET,
        token_verification_enabled=False,
        process_before_response=process_before_response,
    )

    def only_ack(ack: Ack) -> None:
        ack()

    app.command("/vacancy")(only_ack)
    app.view("vacancy_new")(only_ack)
    app.event("message")(only_ack)
    return app


def status_kb(pid: int, field: str) -> int:
    """A memory figure of a process, in KiB, from /proc/<pid>/status: VmRSS (now) or VmHWM (peak)."""
    with open(f"/proc/{pid}/status") as status:
        return next((int(line.split()[1]) for line in status if line.startswith(f"{field}:")), 0)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["bot", "bare", "bare-default"])
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--database-url", default="sqlite:///bench.db")
    parser.add_argument("--socket", action="store_true", help="Socket Mode instead of HTTP")
    args = parser.parse_args()
    runtime: Any = None
    worker_pid = 0
    if args.kind == "bot":
        from bot.app import Runtime, build_app, build_deps
        from bot.worker import default_command

        # In the environment, so that the worker process reads the same settings.
        os.environ.update(
            SLACK_BOT_TOKEN="xoxb-sandbox-token", SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=args.api_url,
            DATABASE_URL=args.database_url, PORCHLIGHT_VACANCY_CHANNEL="C0VACANCIES", PORCHLIGHT_LOG_LEVEL="WARNING",
        )  # fmt: skip
        if args.socket:
            os.environ["SLACK_APP_TOKEN"] = APP_TOKEN  # Socket Mode, as a community without a public URL runs it
        deps = build_deps(load_settings(None))
        runtime = Runtime(
            deps=deps, app=build_app(deps), host="127.0.0.1", port=0, worker_command=default_command()
        ).start()
        assert runtime.worker is not None
        url, worker_pid = runtime.http.url if runtime.http else "socket", runtime.worker.pid or 0
    else:
        app = bare_app(args.api_url, process_before_response=args.kind == "bare")
        if args.socket:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            SocketModeHandler(app, APP_TOKEN).connect()
            url = "socket"
        else:
            server = HttpServer(SlackEndpoint(app, signing_secret=SECRET), host="127.0.0.1", port=0).start()
            url = server.url
    print(f"READY {url} {worker_pid}", flush=True)
    sys.stdin.read()  # until the parent closes our stdin
    worker_peak = status_kb(worker_pid, "VmHWM") if worker_pid else 0
    if runtime is not None:
        runtime.stop()
    print(f"PEAK_KB {status_kb(os.getpid(), 'VmHWM') + worker_peak}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
