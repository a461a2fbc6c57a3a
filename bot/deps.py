"""What listeners and jobs are given: settings, the session factory, the clock and the Slack client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from slack_sdk import WebClient
from sqlalchemy.orm import Session, sessionmaker

from bot.background import INLINE, AfterAck, Batcher
from bot.claimant import new_claimant
from bot.clock import Clock
from bot.delivery import Plugins
from bot.domain.access import Roles
from bot.domain.contacts import SpokenMessage
from bot.domain.referral_deadlines import AnswerDeadlines
from bot.errors import UserError
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
    after_ack: AfterAck = field(default=INLINE)  # work after Slack's answer; inline unless the app sets a pool
    home_team: str | None = None  # our own workspace, from auth.test: its people are staff, others are partners
    plugins: Plugins = field(default_factory=Plugins)  # every feature's outbox kinds, reminders, jobs (bot.app.wire)
    claimant: str = field(default_factory=new_claimant)  # names this process on the outbox rows it is delivering
    contact_log: Batcher[SpokenMessage] = field(init=False)

    def __post_init__(self) -> None:
        self.contact_log = Batcher(self._write_contacts)

    @property
    def roles(self) -> Roles:
        return Roles(coordinators=frozenset(self.settings.coordinators), home_team=self.home_team)

    @property
    def answer_deadlines(self) -> AnswerDeadlines:
        """How a referral's 24/48-hour answer is kept: the community's working time, and who is told."""
        settings = self.settings
        return AnswerDeadlines(hours=settings.hours, zone=settings.zone, coordinators=tuple(settings.coordinators))

    @property
    def board(self) -> str:
        """The vacancies channel (checked at start-up by `porchlight run`)."""
        if self.settings.vacancy_channel is None:
            raise UserError("Porchlight has no vacancies channel set up yet; ask your admin to set one.")
        return self.settings.vacancy_channel

    def _write_contacts(self, messages: list[SpokenMessage]) -> None:
        from bot.domain.contacts import note_messages

        with self.session_factory.begin() as session:
            note_messages(session, messages, zone=self.settings.zone, board_channel=self.settings.vacancy_channel,
                          home_team=self.home_team)  # fmt: skip
