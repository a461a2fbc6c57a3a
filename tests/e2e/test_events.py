"""Messages in shared channels are logged as contact once, however Slack re-delivers them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from sandbox import SlackSide
from storage.models import Contact, InboundEvent
from tests.conftest import PARTNER_PM


def message(ts: str, *, user: str = PARTNER_PM, team: str = "T0PARTNER", **extra: Any) -> dict[str, Any]:
    return {"type": "message", "channel": "C0SHARED", "user": user, "user_team": team, "text": "Unit 4 is ready",
            "ts": ts, "channel_type": "channel", **extra}  # fmt: skip


def contacts(running_bot: Any) -> list[Contact]:
    running_bot.deps.contact_log.flush()  # contacts are written in batches after the ack
    with running_bot.deps.session_factory() as session:
        return list(session.scalars(select(Contact).order_by(Contact.id)))


def test_a_partner_message_is_contact_with_their_organisation(slack: SlackSide, running_bot: Any) -> None:
    response = slack.event(message("1790000000.000100"))
    assert response.status_code == 200
    [contact] = contacts(running_bot)
    assert (contact.channel, contact.user_id, contact.team_id, contact.kind) == (
        "C0SHARED",
        PARTNER_PM,
        "T0PARTNER",
        "message",
    )
    assert not hasattr(contact, "text")  # what was said is never kept


def test_retries_and_resends_count_once(slack: SlackSide, running_bot: Any) -> None:
    event = message("1790000000.000200")
    for retry in (None, 1, 2, 3):
        assert slack.event(event, event_id="Ev0SAME", retry_num=retry).status_code == 200
    slack.event(event, event_id="Ev0DIFFERENT")  # the same message under a new event id
    assert len(contacts(running_bot)) == 1
    with running_bot.deps.session_factory() as session:  # flushed just above
        assert sorted(session.scalars(select(InboundEvent.event_id))) == ["Ev0DIFFERENT", "Ev0SAME"]


def test_thread_replies_count_and_bot_posts_edits_and_joins_do_not(slack: SlackSide, running_bot: Any) -> None:
    slack.event(message("1790000000.000400", thread_ts="1790000000.000300"))
    slack.event(message("1790000000.000500", bot_id="B0OTHER"))
    slack.event(message("1790000000.000600", subtype="message_changed"))
    slack.event(message("1790000000.000700", subtype="channel_join"))
    [reply] = contacts(running_bot)
    assert (reply.kind, reply.thread_ts) == ("thread_reply", "1790000000.000300")
