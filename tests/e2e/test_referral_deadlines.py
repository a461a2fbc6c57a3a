"""A referral's answer is promised within 24-48 hours: at 24 business hours the property's managers are reminded in
the card's thread, at 48 the coordinators are told by DM; weekends and public holidays do not count, and nothing is
sent about a referral someone has answered, or sent twice."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bot.clock import ManualClock
from bot.deps import Deps
from jobs import ticks
from sandbox import SlackSide, Workspace
from storage.models import OutboxMessage
from tests.conftest import COORDINATOR, PARTNER_PM, VACANCIES
from tests.e2e.board_helpers import SHARED, add_property, cards, log_unit, thread
from tests.e2e.helpers import eventually
from tests.e2e.test_board import refer

WEDNESDAY_10AM = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)  # 10:00 in Chicago, the day before Thanksgiving


def reminders_in(workspace: Workspace, channel: str, card_ts: str) -> list[str]:
    return [m.text for m in thread(workspace, channel, card_ts) if "business hours" in m.text]


def coordinator_dms(workspace: Workspace) -> list[str]:
    return [m.text for c in workspace.channels.values() if c.is_im and COORDINATOR in c.members for m in c.messages
            if "business hours" in m.text]  # fmt: skip


def tick_at(deps: Deps, clock: ManualClock, when: datetime) -> None:
    clock.set(when)
    ticks.run(deps=deps)


def referred(slack: SlackSide, workspace: Workspace, clock: ManualClock) -> str:
    clock.set(WEDNESDAY_10AM)
    add_property(slack, workspace)
    card = log_unit(slack, workspace)
    assert refer(slack, workspace, card.ts)[1].closed
    shared = eventually(lambda: cards(workspace, SHARED), what="the shared card")[0]
    eventually(lambda: [m for m in thread(workspace, SHARED, shared.ts) if "R-1" in m.text], what="the notice")
    return shared.ts


def second_instance(deps: Deps) -> Deps:
    return Deps(settings=deps.settings, session_factory=deps.session_factory, clock=deps.clock, client=deps.client,
                delivery_client=deps.delivery_client, plugins=deps.plugins)  # fmt: skip


def test_the_managers_are_reminded_at_24_business_hours_and_the_coordinators_told_at_48(
    slack: SlackSide, workspace: Workspace, running_bot: Any, clock: ManualClock
) -> None:
    deps = running_bot.deps
    shared_card = referred(slack, workspace, clock)
    tick_at(deps, clock, datetime(2026, 11, 26, 18, 0, tzinfo=UTC))  # Thanksgiving, 12:00: a day that doesn't count
    tick_at(deps, clock, datetime(2026, 11, 27, 15, 59, tzinfo=UTC))  # Friday 9:59
    assert reminders_in(workspace, SHARED, shared_card) == []

    tick_at(deps, clock, datetime(2026, 11, 27, 16, 0, tzinfo=UTC))  # Friday 10:00: 24 business hours
    reminder = eventually(lambda: reminders_in(workspace, SHARED, shared_card), what="the managers' reminder")
    assert len(reminder) == 1 and f"<@{PARTNER_PM}>" in reminder[0] and "R-1" in reminder[0]
    assert "CM-20431" not in reminder[0]  # a shared channel: the referral's number, never the client's code

    tick_at(deps, clock, datetime(2026, 11, 28, 16, 0, tzinfo=UTC))  # Saturday: the weekend doesn't count either
    assert coordinator_dms(workspace) == []
    tick_at(deps, clock, datetime(2026, 11, 30, 16, 0, tzinfo=UTC))  # Monday 10:00: 48 business hours
    told = eventually(lambda: coordinator_dms(workspace), what="the coordinator's DM")
    assert len(told) == 1 and "R-1" in told[0] and "Maple Court #12B" in told[0]
    assert "is waiting" in told[0]

    # A restart (a new process on the same database) and a second instance send nothing again.
    other = second_instance(deps)
    try:
        tick_at(other, clock, datetime(2026, 11, 30, 17, 0, tzinfo=UTC))
        tick_at(deps, clock, datetime(2026, 12, 1, 17, 0, tzinfo=UTC))
    finally:
        other.contact_log.close()
    with deps.session_factory() as session:
        queued = list(session.scalars(
            select(OutboxMessage.kind).where(OutboxMessage.kind.in_(("referral.remind", "referral.overdue")))
        ))  # fmt: skip
    assert sorted(queued) == ["referral.overdue", "referral.remind"]  # one coordinator, one shared thread
    assert len(reminders_in(workspace, SHARED, shared_card)) == 1
    assert len(coordinator_dms(workspace)) == 1


def test_an_answered_referral_is_never_chased(
    slack: SlackSide, workspace: Workspace, running_bot: Any, clock: ManualClock
) -> None:
    deps = running_bot.deps
    shared_card = referred(slack, workspace, clock)
    notice = next(m for m in thread(workspace, SHARED, shared_card) if "R-1" in m.text)
    clock.set(datetime(2026, 11, 27, 15, 0, tzinfo=UTC))  # Friday 9:00, an hour before the reminder
    slack.click(user=PARTNER_PM, channel=SHARED, message_ts=notice.ts, action_id="referral_accept",
                thread_ts=shared_card)  # fmt: skip
    for day in (27, 28, 30):
        tick_at(deps, clock, datetime(2026, 11, day, 17, 0, tzinfo=UTC))
    assert reminders_in(workspace, SHARED, shared_card) == []
    assert coordinator_dms(workspace) == []


def test_a_unit_leaving_the_board_stops_its_referrals_reminders(
    slack: SlackSide, workspace: Workspace, running_bot: Any, clock: ManualClock
) -> None:
    deps = running_bot.deps
    shared_card = referred(slack, workspace, clock)
    board_card = cards(workspace, VACANCIES)[0]
    slack.click(user=COORDINATOR, channel=VACANCIES, message_ts=board_card.ts, action_id="vacancy_withdraw")
    for day in (27, 30):
        tick_at(deps, clock, datetime(2026, 11, day, 17, 0, tzinfo=UTC))
    assert reminders_in(workspace, SHARED, shared_card) == []
    assert coordinator_dms(workspace) == []
