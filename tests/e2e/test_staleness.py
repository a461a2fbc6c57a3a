"""Stale listings: the managers are asked in the card's thread; unanswered, the listing expires."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.clock import ManualClock
from jobs import ticks
from sandbox import SlackSide, Workspace
from storage.models import AuditEntry, Vacancy
from tests.conftest import PARTNER_PM, VACANCIES
from tests.e2e.board_helpers import SHARED, add_property, buttons, card_text, cards, log_unit, thread
from tests.e2e.helpers import eventually


def statuses(running_bot: Any) -> list[str]:
    with running_bot.deps.session_factory() as session:
        return list(session.scalars(select(Vacancy.status).order_by(Vacancy.id)))


def test_asked_then_confirmed_or_expired(
    slack: SlackSide, workspace: Workspace, running_bot: Any, clock: ManualClock
) -> None:
    add_property(slack, workspace)
    log_unit(slack, workspace, unit="1A")
    log_unit(slack, workspace, unit="2B")
    shared = eventually(lambda: cards(workspace, SHARED)[1:], what="both shared cards")
    deps = running_bot.deps

    clock.advance(timedelta(days=8))  # Tuesday Dec 1, 15:00 UTC = 9:00 in Chicago: a week unconfirmed
    assert ("staleness", "2026-12-01") in ticks.run(deps=deps)
    first = cards(workspace, SHARED)[0]
    ask = eventually(lambda: [m for m in thread(workspace, SHARED, first.ts) if "still available" in m.text],
                     what="the ask")[0]  # fmt: skip
    assert f"<@{PARTNER_PM}>" in ask.text
    assert buttons(ask) == ["vacancy_still_available", "vacancy_fill", "vacancy_update"]
    slack.click(user=PARTNER_PM, channel=SHARED, message_ts=ask.ts, action_id="vacancy_still_available",
                thread_ts=first.ts)  # fmt: skip
    assert ticks.run(deps=deps) == []  # same day: nothing more more

    clock.advance(timedelta(days=6))  # Dec 7 (a Monday), 14 days after logging
    assert ticks.run(deps=deps)
    assert statuses(running_bot) == ["open", "expired"]
    expired = eventually(lambda: [m for m in cards(workspace, VACANCIES) if "Expired" in card_text(m)], what="expiry")
    assert buttons(expired[0]) == []
    with deps.session_factory() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "vacancy.expired")).one()
        assert entry.actor == "system"
    assert shared


def test_a_managers_reply_in_the_thread_counts_as_confirmation(
    slack: SlackSide, workspace: Workspace, running_bot: Any, clock: ManualClock
) -> None:
    add_property(slack, workspace)
    log_unit(slack, workspace)
    shared = eventually(lambda: cards(workspace, SHARED), what="the shared card")[0]
    clock.advance(timedelta(days=6))
    reply = {"type": "message", "channel": SHARED, "user": PARTNER_PM, "user_team": "T0PARTNER",
             "text": "still free", "ts": f"{clock.now().timestamp():.6f}", "thread_ts": shared.ts}  # fmt: skip
    slack.event(reply)
    running_bot.deps.contact_log.flush()
    with running_bot.deps.session_factory() as session:
        vacancy = session.scalars(select(Vacancy)).one()
        assert vacancy.last_confirmed_at == clock.now()
    clock.advance(timedelta(days=2))  # 8 days after logging, 2 after the reply: not stale
    ticks.run(deps=running_bot.deps)
    with running_bot.deps.session_factory() as session:
        assert session.scalars(select(Vacancy.confirm_asked_at)).one() is None
