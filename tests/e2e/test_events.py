"""Messages in shared channels count as contact with the partner once, however Slack re-delivers them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.domain import partners
from bot.domain.actors import Actor
from sandbox import SlackSide
from storage.models import InboundEvent, PartnerContactDay
from tests.conftest import COORDINATOR, PARTNER_PM, START


def message(ts: str, *, user: str = PARTNER_PM, team: str = "T0PARTNER", **extra: Any) -> dict[str, Any]:
    return {"type": "message", "channel": "C0SHARED", "user": user, "user_team": team, "text": "Unit 4 is ready",
            "ts": ts, "channel_type": "channel", **extra}  # fmt: skip


def add_partner(running_bot: Any) -> int:
    draft = partners.PartnerDraft(name="Maple Management", kind="property_management", team_id="T0PARTNER",
                                  channels=("C0SHARED",))  # fmt: skip
    with running_bot.deps.session_factory.begin() as session:
        return partners.save_partner(session, draft, partner_id=None, actor=Actor(COORDINATOR, None), now=START).id


def days(running_bot: Any) -> list[PartnerContactDay]:
    running_bot.deps.contact_log.flush()  # contacts are written in batches after the ack
    with running_bot.deps.session_factory() as session:
        return list(session.scalars(select(PartnerContactDay)))


def test_a_partner_message_is_contact_with_their_organisation(slack: SlackSide, running_bot: Any) -> None:
    partner_id = add_partner(running_bot)
    response = slack.event(message("1790000000.000100"))
    assert response.status_code == 200
    [day] = days(running_bot)
    assert (day.partner_id, day.signals, day.last_kind) == (partner_id, 1, "message")
    assert day.day == START.date()  # the community's local day
    assert not hasattr(day, "text") and not hasattr(day, "user_id")  # neither what was said nor who said it


def test_retries_and_resends_count_once(slack: SlackSide, running_bot: Any) -> None:
    add_partner(running_bot)
    event = message("1790000000.000200")
    for retry in (None, 1, 2, 3):
        assert slack.event(event, event_id="Ev0SAME", retry_num=retry).status_code == 200
    slack.event(event, event_id="Ev0DIFFERENT")  # the same message under a new event id
    [day] = days(running_bot)
    assert day.signals == 1
    with running_bot.deps.session_factory() as session:  # flushed just above
        keys = sorted(session.scalars(select(InboundEvent.event_id)))
    assert keys == ["Ev0DIFFERENT", "Ev0SAME", "msg:C0SHARED:1790000000.000200"]


def test_thread_replies_count_and_bot_posts_edits_and_joins_do_not(slack: SlackSide, running_bot: Any) -> None:
    add_partner(running_bot)
    slack.event(message("1790000000.000400", thread_ts="1790000000.000300"))
    slack.event(message("1790000000.000500", bot_id="B0OTHER"))
    slack.event(message("1790000000.000600", subtype="message_changed"))
    slack.event(message("1790000000.000700", subtype="channel_join"))
    [day] = days(running_bot)
    assert (day.signals, day.last_kind) == (1, "thread_reply")


def test_a_message_that_concerns_no_partner_is_not_kept(slack: SlackSide, running_bot: Any) -> None:
    slack.event(message("1790000000.000800"))  # nobody has listed the partner or its channel yet
    assert days(running_bot) == []
