"""`/vacancy report`: a coordinator asks for last month's report now; it comes as the monthly DM does.

The verb is parsed in handlers/vacancy.py (one `/vacancy` command); what it does is here. Anyone who is not a
coordinator is refused privately, in the ack: the report holds every property's figures.
"""

from __future__ import annotations

import logging

from slack_bolt import Ack

from bot.deps import Deps
from bot.domain import access
from bot.domain import report as figures
from bot.domain.actors import Actor
from bot.slack.blocks import report as texts

log = logging.getLogger("porchlight.report")


def report_verb(deps: Deps, *, actor: Actor, ack: Ack) -> None:
    access.require_coordinator(deps.roles, actor)  # NotAllowed: the guard answers privately
    now = deps.clock.now()
    period = figures.last_full_month(now.astimezone(deps.settings.zone).date())
    with deps.session_factory.begin() as session:
        figures.queue(session, month=period.start.strftime("%Y-%m"), coordinators=[actor.user_id], now=now)
    log.info("report for %s asked for on demand", period.start.strftime("%Y-%m"))
    ack(text=texts.asked_for(period))
    deps.wake_outbox()
