"""`python -m sandbox`: serve a local Slack workspace until interrupted; prints `READY <base url>`.

Its Web API is at <base>/api/; POST <base>/_sandbox/trigger with {"user": "U..."} returns a fresh trigger_id,
as a person's click or command would create. With --socket-mode it also serves Slack's Socket Mode WebSocket:
a bot with SLACK_APP_TOKEN=xapp-1-A0PORCH-sandbox-token (and SLACK_API_URL=<base>/api/) connects to it.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading

from sandbox.server import SandboxServer
from sandbox.workspace import Workspace


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox")
    parser.add_argument("--port", type=int, default=0, help="0 lets the OS choose")
    parser.add_argument("--socket-mode", action="store_true", help="also serve Socket Mode (needs `websockets`)")
    parser.add_argument("--socket-url", help="hand out this Socket Mode URL (a server someone else runs) instead")
    args = parser.parse_args()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    workspace = Workspace()
    if args.socket_url:
        workspace.socket_url = lambda: str(args.socket_url)
    with SandboxServer(workspace, port=args.port, socket_mode=args.socket_mode) as server:
        sys.stdout.write(f"READY {server.base_url}\n")
        sys.stdout.flush()
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
