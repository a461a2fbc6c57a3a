"""Messages in channels the bot is in: logged as contact (who and when, never the text)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App

from bot.deps import Deps
from bot.domain import contacts

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
    return contacts.SpokenMessage(
        event_id=str(body["event_id"]), channel=str(event["channel"]), ts=str(event["ts"]),
        thread_ts=event.get("thread_ts"), user_id=str(event["user"]), team_id=team, at=now,
    )  # fmt: skip


def _message(deps: Deps) -> Any:
    def message_event(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        message = spoken(body, now=deps.clock.now())
        if message is not None:
            deps.contact_log.add(message)

    return message_event
