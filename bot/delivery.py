"""What features hand the delivery and scheduling engine: renderers by outbox kind, reminder kinds, scheduled jobs.

The engine (jobs/outbox.py, jobs/reminders.py, jobs/ticks.py) claims, orders, posts once, retries and runs due
work; it knows no feature. Each feature registers its kinds here from the one wiring place (bot/app.py), the way
handlers register their listeners, so a new kind of post is a new renderer, not an edit to the engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy.orm import Session

from bot.domain.schedule import Rule
from bot.settings import Settings
from storage.models import OutboxMessage, Reminder, Schedule
from storage.posted import Kept

Blocks = list[dict[str, Any]]


@dataclass(frozen=True)
class Message:
    """A message to post in `channel` (or in a thread of it).

    With `keep`, the message is one Porchlight keeps in place: if that subject's message of that role is already
    in the channel, it is edited there; otherwise it is posted and remembered (storage.posted).
    """

    channel: str
    text: str
    blocks: Blocks | None = None
    thread_ts: str | None = None
    keep: Kept | None = None


@dataclass(frozen=True)
class Private:
    """An ephemeral message to `user` in `channel`; a DM when they cannot see that channel."""

    channel: str
    user: str
    text: str


@dataclass(frozen=True)
class Upload:
    """A file for `Slack.upload`: an image needs `alt_text` (what it shows, for people who cannot see it)."""

    filename: str
    title: str
    content: bytes
    alt_text: str = ""


class Slack(Protocol):
    """What a custom delivery may ask of Slack through the engine (which posts once and looks before re-posting)."""

    def post(self, message: Message) -> tuple[str, str | None]: ...

    def private(self, message: Private) -> tuple[str, str | None]: ...

    def permalink(self, channel: str, ts: str) -> str | None: ...

    def upload(self, channel: str, files: Sequence[Upload], *, after_ts: str) -> None:
        """Share `files` in one message in `channel` (a conversation id), once: on a retry, files already shared
        there after the message `after_ts` (the row's own post) are not shared again."""
        ...


@dataclass(frozen=True)
class Custom:
    """A delivery that needs Slack's answer to decide what to say (a permalink, say)."""

    send: Callable[[Slack], tuple[str, str | None]]


Delivery = Message | Private | Custom


class Gone(Exception):
    """What a row shows is not there any more (or never was posted where it must follow): it fails for good."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


@dataclass(frozen=True)
class Context:
    """What a feature's renderer, reminder kind or job is given: the settings, the engine's open session (whose
    transaction the engine owns) and the time the engine is acting at."""

    settings: Settings
    session: Session
    now: datetime


Renderer = Callable[[Context, OutboxMessage], Delivery]


@dataclass(frozen=True)
class ReminderKind:
    """A kind of reminder: whether its subject still needs it, and what sending it queues (outbox rows)."""

    still_needed: Callable[[Context, Reminder], bool]
    send: Callable[[Context, Reminder], None]
    repeat_every: timedelta | None = None  # business hours between sends, for a reminder of several sends


@dataclass(frozen=True)
class ScheduledJob:
    """Recurring work for the subjects of a `schedule` row (`rule` read from the row) or for the whole community
    (`rule` from settings, no row). `run` gets the row (None for the community) and the period key, once per
    period, in the transaction that claimed the period; what it returns is logged (ids and counts only)."""

    run: Callable[[Context, Schedule | None, str], object]
    community_rule: Callable[[Settings], Rule] | None = None


K = TypeVar("K")
V = TypeVar("V")


@dataclass
class _Table(Generic[K, V]):
    what: str
    entries: dict[K, V] = field(default_factory=dict)

    def register(self, key: K, value: V) -> None:
        if key in self.entries:
            raise ValueError(f"{self.what} {key!r} is registered twice")
        self.entries[key] = value

    def get(self, key: K) -> V | None:
        return self.entries.get(key)

    def __iter__(self) -> Iterator[K]:
        return iter(self.entries)

    def items(self) -> list[tuple[K, V]]:
        return list(self.entries.items())


@dataclass(frozen=True)
class HubButton:
    """A button a feature puts on each property's Porchlight message in its shared channel (the way external
    users reach Porchlight, since our slash commands may not). Its value is the property id."""

    action_id: str
    label: str
    order: int = 50  # left to right, smallest first


@dataclass
class Plugins:
    """Every feature's kinds, filled by the wiring (bot.app.wire) before anything is delivered."""

    renderers: _Table[str, Renderer] = field(default_factory=lambda: _Table("outbox kind"))
    reminders: _Table[str, ReminderKind] = field(default_factory=lambda: _Table("reminder kind"))
    jobs: _Table[str, ScheduledJob] = field(default_factory=lambda: _Table("scheduled job"))
    hub_buttons: _Table[str, HubButton] = field(default_factory=lambda: _Table("hub button"))

    def buttons(self) -> list[HubButton]:
        """The property message's buttons, in order."""
        return sorted((button for _, button in self.hub_buttons.items()), key=lambda b: (b.order, b.label))
