"""`python -m sandbox.launch [--demo]`: Porchlight against a local Slack workspace, with a web page to use it.

What `python3 dev.py run` starts when there are no Slack credentials, and `porchlight sandbox` always: the local
workspace (sandbox.workspace, its Web API on 127.0.0.1), Porchlight serving HTTP to it with its scheduler in this
process (so one movable clock drives the bot, the workspace's timestamps and every schedule), an SQLite database
file started afresh each run (the workspace's messages live in memory, so yesterday's rows would point at cards
that are gone), and the page (sandbox.web) on the workspace's own port. Prints the URL to open.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import logging
import signal
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.app import Runtime, build_app, build_deps
from bot.clock import MovableClock
from bot.deps import Deps
from bot.logs import configure_logging
from bot.settings import Settings
from sandbox import demo
from sandbox.server import SandboxServer
from sandbox.slack_side import SlackSide
from sandbox.web.acting import People
from sandbox.web.clock import ClockControls
from sandbox.web.routes import Page
from sandbox.workspace import BOT_USER, HOME_TEAM, PARTNER_TEAM, User, Workspace

log = logging.getLogger("sandbox.launch")
DEFAULT_DATABASE = Path("porchlight-sandbox.db")  # in the working directory; *.db is git-ignored
DEFAULT_PORT = 3980
VACANCIES, ESCALATIONS, SHARED, COMMUNITY = "C0VACANCIES", "C0ESCALATE", "C0SHARED", "C0COMMUNITY"
STRANGER, STRANGER_TEAM = "W0STRANGER", "T0ELSEWHERE"
COORDINATOR = "U0COORD"
# Who one can act as in the page, and how the page names their team.
ROLES = {
    "U0CASEMGR": "Case manager",
    "U0RSC": "Resident services coordinator (RSC)",
    COORDINATOR: "Housing system coordinator",
    "W0PARTNERPM": "Property manager, Maple Management (external)",
    STRANGER: "Someone from an unknown workspace",
}
TEAMS = {HOME_TEAM: "Our agency", PARTNER_TEAM: "Maple Management", STRANGER_TEAM: "Unknown workspace"}


@dataclass
class Sandbox:
    """Everything that runs: stop() ends it all."""

    workspace: Workspace
    server: SandboxServer
    runtime: Runtime
    slack: SlackSide
    database: Path

    @property
    def url(self) -> str:
        return self.server.base_url + "/"

    @property
    def deps(self) -> Deps:
        return self.runtime.deps

    def stop(self) -> None:
        self.runtime.stop()
        self.slack.close()
        self.server.stop()


def furnish(workspace: Workspace) -> None:
    """Beyond the workspace's own people and channels: someone of a workspace Porchlight does not know, in a
    channel shared with theirs."""
    workspace.users[STRANGER] = User(STRANGER, STRANGER_TEAM, "sam.elsewhere")
    ours = {"U0CASEMGR", "U0COORD", "U0RSC", BOT_USER}
    workspace.add_channel(COMMUNITY, "community-partners", members=ours | {STRANGER}, shared_teams={STRANGER_TEAM})


def sandbox_settings(workspace: Workspace, api_url: str, database: Path) -> Settings:
    """Settings for the bot against this workspace; the environment may still set the PORCHLIGHT_* rules (time
    zone, staleness, ...), but never credentials or a database: .env is not read."""
    values: dict[str, Any] = {
        "SLACK_BOT_TOKEN": workspace.bot_token, "SLACK_APP_TOKEN": None,
        "SLACK_SIGNING_SECRET": workspace.signing_secret, "SLACK_API_URL": api_url,
        "DATABASE_URL": f"sqlite:///{database}", "PORCHLIGHT_VACANCY_CHANNEL": VACANCIES,
        "PORCHLIGHT_ESCALATION_CHANNEL": ESCALATIONS, "PORCHLIGHT_COORDINATORS": COORDINATOR,
    }  # fmt: skip
    return Settings(_env_file=None, **values)


class NotASandboxDatabase(Exception):
    pass


def fresh_database(path: Path) -> Path:
    """Remove the last run's sandbox database (and its WAL files); refuse a file that is not one of ours."""
    path = path.resolve()
    if path.exists() and not path.name.endswith("sandbox.db"):
        raise NotASandboxDatabase(
            f"{path} exists and is not a sandbox database (the sandbox starts afresh each run, removing its "
            "database): give it a path of its own, ending in sandbox.db"
        )
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def start(*, database: Path = DEFAULT_DATABASE, port: int = 0, demo_data: bool = False, clock: Any = None) -> Sandbox:
    """Start the workspace, the page and Porchlight; `clock` (default: real time, movable) drives them all."""
    clock = clock or MovableClock()
    database = fresh_database(database)
    workspace = Workspace(clock=lambda: clock.now().timestamp())
    furnish(workspace)
    page = Page(workspace, roles=ROLES, teams=TEAMS)
    server = SandboxServer(workspace, port=port, routes=page).start()
    try:
        settings = sandbox_settings(workspace, server.api_url, database)
        deps = build_deps(settings, clock=clock)
        if demo_data:
            demo.seed(deps)
        runtime = Runtime(deps=deps, app=build_app(deps), host="127.0.0.1", port=0).start()
    except BaseException:
        server.stop()
        raise
    assert runtime.http is not None
    slack = SlackSide(workspace, bot_url=runtime.http.url, sandbox_url=server.base_url)
    page.connect(People(workspace, slack), ClockControls(deps, clock), manifest=_manifest_path())
    return Sandbox(workspace=workspace, server=server, runtime=runtime, slack=slack, database=database)


def _manifest_path() -> Path:
    return Path(__file__).resolve().parents[1] / "manifest.yml"


def _listening(args: argparse.Namespace) -> Sandbox:
    """On --port, or on a port the OS chooses when that one is taken (said so)."""
    try:
        return start(database=Path(args.database), port=args.port, demo_data=args.demo)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE or args.port == 0:
            raise
    _say(f"Port {args.port} is in use; the page is on another port instead.")
    return start(database=Path(args.database), port=0, demo_data=args.demo)


def _say(line: str, stream: Any = None) -> None:
    stream = stream or sys.stdout
    stream.write(line + "\n")
    stream.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="porchlight sandbox",
        description="Run Porchlight against a local Slack workspace, with a web page to use it: no Slack "
        "account or credentials needed. Listens on 127.0.0.1 only.",
    )
    parser.add_argument("--demo", action="store_true", help="start with demo properties, units and a referral")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"the page's port (default {DEFAULT_PORT})")
    parser.add_argument(
        "--database", default=str(DEFAULT_DATABASE),
        help=f"the SQLite file, removed and made afresh each run (default ./{DEFAULT_DATABASE})",
    )  # fmt: skip
    args = parser.parse_args(argv)
    configure_logging("INFO")  # Porchlight's own lines; the libraries that log request bodies stay quiet
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        sandbox = _listening(args)
    except NotASandboxDatabase as exc:
        _say(f"porchlight sandbox: {exc}", sys.stderr)
        return 2
    except OSError as exc:
        _say(f"porchlight sandbox: cannot start: {exc.strerror or exc}", sys.stderr)
        return 2
    _say(
        f"\nPorchlight is running against a local Slack workspace (no Slack credentials needed).\n"
        f"Open {sandbox.url} in your browser.\n"
        f"Database: {sandbox.database} (SQLite, made afresh each run). Ctrl-C stops.\n"
    )
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
