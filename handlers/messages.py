"""Messages in channels the bot is in: counted as contact with the partners they concern (never the text)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App

from bot.deps import Deps
from bot.domain import contacts
from bot.slack.guard import Listener

# People's own messages; edits, deletions, joins and bot posts are not contact.
SPOKEN_SUBTYPES = {None, "thread_broadcast", "file_share"}


def register(app: App, deps: Deps) -> None:
    app.event("message")(_message(deps))


def spoken(body: dict[str, Any], *, now: datetime) -> contacts.SpokenMessage | None:
    """The message as plain values, or None if it is not a person speaking."""
    event = body.get("event") or {}
    if event.get("subtype") not in SPOKEN_SUBTYPES or event.get("bot_id") or not event.get("user"):
        return None
    if not (body.get("event_id") and event.get("channel") and event.get("ts")):
        return None
    team = event.get("user_team") or event.get("team") or body.get("team_id")
    ts, thread_ts = str(event["ts"]), event.get("thread_ts")
    kind = contacts.SignalKind.THREAD_REPLY if thread_ts and thread_ts != ts else contacts.SignalKind.MESSAGE
    return contacts.SpokenMessage(
        event_id=str(body["event_id"]), channel=str(event["channel"]), ts=ts, thread_ts=thread_ts,
        user_id=str(event["user"]), team_id=team, at=now, kind=kind,
    )  # fmt: skip


def _message(deps: Deps) -> Listener:
    def message_event(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        message = spoken(body, now=deps.clock.now())
        if message is not None:
            deps.contact_log.add(message)

    return message_event
