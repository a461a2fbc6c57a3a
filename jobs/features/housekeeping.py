"""Nightly housekeeping: forget old event ids and long-delivered outbox rows, so tables do not grow forever."""

from __future__ import annotations

from datetime import time, timedelta

from bot.delivery import Context, Plugins, ScheduledJob
from bot.domain.schedule import DailyAt, Rule
from bot.settings import Settings
from storage import inbound, outbox
from storage.models import Schedule

HOUSEKEEPING = "housekeeping"
KEEP_EVENT_IDS = timedelta(days=2)  # Slack's retries come within minutes
KEEP_DELIVERED = timedelta(days=30)  # long enough to investigate a delivery


def register(plugins: Plugins) -> None:
    plugins.jobs.register(HOUSEKEEPING, ScheduledJob(run=housekeeping, community_rule=nightly))


def nightly(settings: Settings) -> Rule:
    return DailyAt(at=time(3, 0), zone=settings.zone)


def housekeeping(context: Context, schedule: Schedule | None, period: str) -> object:
    events = inbound.forget_events_before(context.session, context.now - KEEP_EVENT_IDS)
    rows = outbox.forget_done_before(context.session, context.now - KEEP_DELIVERED)
    return {"event_ids": events, "outbox_rows": rows}
