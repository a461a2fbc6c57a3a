"""What listeners and jobs are given: settings, the session factory, the clock and the Slack client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.settings import Settings


def _nothing() -> None:
    return None


@dataclass
class Deps:
    settings: Settings
    session_factory: sessionmaker[Session]
    clock: Clock
    client: WebClient  # for listeners
    delivery_client: WebClient  # for the outbox: no blind retries
    wake_outbox: Callable[[], None] = field(default=_nothing)
