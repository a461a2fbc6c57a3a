"""Waiting for what the bot does after it has answered Slack (the outbox delivers in the background)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from sandbox import Workspace
from sandbox.workspace import Channel

T = TypeVar("T")


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
