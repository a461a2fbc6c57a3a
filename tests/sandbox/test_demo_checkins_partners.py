"""The demo data's check-in and partners: made through the domain's own functions, as the local workspace shows."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.deps import Deps
from bot.domain import checkins, partners
from sandbox import demo
from storage.models import CheckinItem, Meeting


def test_the_demo_has_a_check_in_with_items_and_partners_some_quiet_this_month(deps: Deps) -> None:
    assert demo.seed(deps) == len(demo.SEEDERS)
    with deps.session_factory() as session:
        meeting = session.scalars(select(Meeting)).one()
        assert meeting.name == "Maple Court" and meeting.active
        assert len(session.scalars(select(CheckinItem).where(CheckinItem.meeting_id == meeting.id)).all()) == 2
        assert checkins.next_occurrence(meeting, after=deps.clock.now(), country="US") is not None
        today = deps.clock.now().astimezone(deps.settings.zone).date()
        quiet, total = partners.quiet_this_month(session, today=today, owner=None)
        names = [line.name for line in quiet]
        assert "Maple Management" not in names  # heard from today
        assert {"Northside Legal Aid", "County Housing Authority", "Eastside Outreach"} <= set(names)
        [heard] = [line for line in quiet if line.name == "County Housing Authority"]
        assert heard.last_heard is not None and heard.last_heard.astimezone(deps.settings.zone).date() < date(
            today.year, today.month, 1)  # fmt: skip
        assert total == len(names)
