"""Waiting for what the bot does after it has answered Slack (the outbox delivers in the background), and the
environment of a bot process under test."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sandbox import Workspace
from sandbox.workspace import Channel

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[2]


def eventually(probe: Callable[[], T | None], *, within: float = 10.0, what: str = "condition") -> T:
    """Poll `probe` until it returns something truthy; fail with `what` if it never does. Not a timing test:
    the bound only stops a broken build from hanging."""
    deadline = time.monotonic() + within
    while True:
        result = probe()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.02)


def dm_to(workspace: Workspace, user: str, *, what: str) -> Channel:
    """The bot's direct-message channel with `user`, once it holds a message."""
    found = eventually(
        lambda: [c for c in workspace.channels.values() if c.is_im and user in c.members and c.messages], what=what
    )
    return found[0]


def process_env(api_url: str, database_url: str, **settings: str) -> dict[str, str]:
    """The environment of a Porchlight process under test: this one's, minus any real Slack or Porchlight
    settings, plus the local workspace, `database_url`, the test channels and people, and `settings`."""
    from tests.conftest import COORDINATOR, VACANCIES

    inherited = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PORCHLIGHT_", "DATABASE_"))}
    return {
        **inherited, "PYTHONPATH": str(ROOT), "SLACK_BOT_TOKEN": "xoxb-sandbox-token",
        "SLACK_SIGNING_SECRET": "sandbox-secret", "SLACK_API_URL": api_url, "DATABASE_URL": database_url,
        "PORCHLIGHT_VACANCY_CHANNEL": VACANCIES, "PORCHLIGHT_COORDINATORS": COORDINATOR, **settings,
    }  # fmt: skip
