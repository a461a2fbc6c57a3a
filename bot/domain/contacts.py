"""Contact with partners, from both directions: a person's message or reply in a channel shared with a partner
(theirs or ours), a partner's person speaking anywhere the bot is, a reaction on our post, a partner's click on a
Porchlight button. Each becomes a signal on the partner's local day (storage.partners): counted, never kept.

What is kept grows with partners and days: one row per partner and day, upserted from a batch. Nothing of what
was said is stored, nor who said it. Slack's retries are deduplicated on event_id, and a message Slack delivers
again under a new event id on channel + ts: both keys go to the short-lived inbound table (forgotten after two
days by housekeeping, like every event id), so that memory grows with a couple of days of messages, not forever.
Edits (message_changed) and deletions never reach here: they are not someone speaking.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.domain import access, vacancies
from bot.domain.actors import Actor
from storage import inbound, partners, posted
from storage.models import Vacancy

MESSAGE_KEY = "msg:"  # inbound-table key of a message: "msg:<channel>:<ts>"


class SignalKind(StrEnum):
    MESSAGE = "message"
    THREAD_REPLY = "thread_reply"
    REACTION = "reaction"
    CLICK = "click"
    BROADCAST = "broadcast"
    # Logged by hand (bot.domain.partners.TouchKind has the same values).
    CALL = "call"
    MEETING = "meeting"
    EMAIL = "email"
    VISIT = "visit"


@dataclass(frozen=True)
class SpokenMessage:
    """A sign of contact, reduced to what may be kept: ids and times, no text.

    `event_id` is Slack's (None for a click, which Slack does not redeliver); `ts` is the message's (for a
    reaction, the message reacted to; for a click, none), used for replies confirming a listing.
    """

    event_id: str | None
    channel: str | None
    ts: str | None
    thread_ts: str | None
    user_id: str
    team_id: str | None
    at: datetime
    kind: SignalKind = SignalKind.MESSAGE

    @property
    def message_key(self) -> str | None:
        if self.kind not in (SignalKind.MESSAGE, SignalKind.THREAD_REPLY) or not (self.channel and self.ts):
            return None
        return f"{MESSAGE_KEY}{self.channel}:{self.ts}"[:64]


def note_messages(
    session: Session,
    messages: Sequence[SpokenMessage],
    *,
    zone: ZoneInfo,
    board_channel: str | None = None,
    home_team: str | None = None,
) -> int:
    """Count a batch of signals as contact, each once however often Slack delivered it; returns how many counted.

    A signal counts for the partners of its channel, and for the partner whose Slack team the person is in (when
    that is not our own team). One statement records the batch's keys, two read whose channels and teams they
    are, one upserts the partners' days.
    """
    keys: dict[str, datetime] = {}
    for m in messages:
        if m.event_id:
            keys[m.event_id] = m.at
        if m.message_key:
            keys[m.message_key] = m.at
    fresh = inbound.first_deliveries(session, keys) if keys else set()
    counted: list[SpokenMessage] = []
    for m in messages:
        if m.event_id:
            if m.event_id not in fresh:
                continue  # Slack's retry
            fresh.discard(m.event_id)  # a retry in the same batch as its first delivery
        if m.message_key:
            if m.message_key not in fresh:
                continue  # the same message, delivered again under a new event id
            fresh.discard(m.message_key)  # and only once within this batch
        counted.append(m)
    by_channel = partners.partners_of_channels(session, (m.channel for m in counted if m.channel))
    by_team = partners.partners_of_teams(session, (m.team_id for m in counted if m.team_id and m.team_id != home_team))
    signals = []
    for m in counted:
        heard = set(by_channel.get(m.channel or "", ()))
        if m.team_id in by_team:
            heard.add(by_team[m.team_id])
        day = m.at.astimezone(zone).date()
        signals += [partners.DaySignal(p, day, 1, m.at, str(m.kind)) for p in heard]
    partners.add_signals(session, signals)
    if board_channel is not None:
        _replies_confirm_listings(session, [m for m in counted if m.kind == SignalKind.THREAD_REPLY], board_channel)
    return len(counted)


def _replies_confirm_listings(session: Session, replies: list[SpokenMessage], board_channel: str) -> None:
    """A property manager's reply in a vacancy card's thread refreshes "last confirmed"."""
    if not replies:
        return
    places = [(m.channel or "", m.thread_ts or "") for m in replies]
    threads = {
        (card.channel, card.ts): card.subject_id
        for card in posted.subjects_of(session, places, subject_type=vacancies.SUBJECT)
        if card.role == vacancies.CARD
    }
    for message in replies:
        vacancy_id = threads.get((message.channel or "", message.thread_ts or ""))
        if vacancy_id is None:
            continue
        vacancy = session.get(Vacancy, vacancy_id)
        actor = Actor(message.user_id, message.team_id)
        if (
            vacancy is None
            or vacancy.status not in vacancies.LIVE
            or not access.manages(session, actor, vacancy.property_id)
        ):
            continue
        with contextlib.suppress(vacancies.AlreadyDone):
            vacancies.confirm_available(session, vacancy_id, actor=actor, now=message.at, board_channel=board_channel)
