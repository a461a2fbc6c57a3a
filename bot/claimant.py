"""Names for delivering processes, written on the outbox rows they claim (storage.outbox.claim)."""

from __future__ import annotations

import os
import secrets
import socket

# Set by the server for the worker it starts, so that when that worker dies the server can release its rows.
CLAIMANT_ENV = "PORCHLIGHT_CLAIMANT"


def new_claimant() -> str:
    """Unique across hosts, processes and restarts: host, pid, and a random part (pids and hostnames repeat)."""
    return f"{socket.gethostname()[:32]}/{os.getpid()}/{secrets.token_hex(6)}"


def claimant_from_env() -> str | None:
    return os.environ.get(CLAIMANT_ENV) or None
