"""A case's forms sent twice (a replayed or retried submission of the same modal) act once: the mediation is
scheduled once, and the parties and the card's thread hear of it once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from sandbox import SlackSide, Workspace
from storage.models import AuditEntry
from tests.conftest import COORDINATOR, PARTNER_PM
from tests.e2e.board_helpers import add_property, only_view, thread
from tests.e2e.escalation_helpers import ESCALATE, RSC, dms, escalate
from tests.e2e.helpers import eventually


def test_a_mediation_form_sent_twice_schedules_it_once(
    slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    add_property(slack, workspace)
    card = escalate(slack, workspace)
    slack.click(user=COORDINATOR, channel=ESCALATE, message_ts=card.ts, action_id="escalation_schedule_mediation")
    form = only_view(workspace, COORDINATOR)
    values = {"day": "2026-12-02", "time": "14:00"}
    assert slack.submit_view(form, user=COORDINATOR, values=values).closed
    assert slack.submit_view(form, user=COORDINATOR, values=values).closed  # the same submission again

    for party in (RSC, PARTNER_PM):
        eventually(lambda p=party: [t for t in dms(workspace, p) if "Mediation is scheduled" in t], what="told")
    eventually(lambda: [m for m in thread(workspace, ESCALATE, card.ts) if "Mediation scheduled" in m.text],
               what="the thread's line")  # fmt: skip
    running_bot.deps.after_ack.shutdown()
    with running_bot.deps.session_factory() as session:
        done = session.scalars(select(AuditEntry.action).where(AuditEntry.subject_type == "escalation")).all()
    assert done == ["escalation.raised", "escalation.mediation"]
    for party in (RSC, PARTNER_PM):
        assert len([t for t in dms(workspace, party) if "Mediation is scheduled" in t]) == 1
    assert len([m for m in thread(workspace, ESCALATE, card.ts) if "Mediation scheduled" in m.text]) == 1
