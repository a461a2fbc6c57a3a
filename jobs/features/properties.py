"""Properties: the Porchlight message in each shared channel (kept in place), and a daily pass that posts it
wherever it is missing (a property set up before the message existed, or a message deleted by hand)."""

from __future__ import annotations

from datetime import time

from bot.delivery import Context, Delivery, Gone, Message, Plugins, Renderer, ScheduledJob
from bot.domain import property_hub
from bot.domain.schedule import DailyAt, Rule
from bot.settings import Settings
from bot.slack.blocks.hub import property_hub as hub_blocks
from storage.models import OutboxMessage, Property, Schedule

HUB_CHECK = "property.hub_check"


def register(plugins: Plugins) -> None:
    plugins.renderers.register(property_hub.HUB_POST, _hub(plugins))
    plugins.jobs.register(HUB_CHECK, ScheduledJob(run=post_missing, community_rule=early_morning))


def early_morning(settings: Settings) -> Rule:
    return DailyAt(at=time(6, 0), zone=settings.zone)


def post_missing(context: Context, schedule: Schedule | None, period: str) -> object:
    return {"queued": len(property_hub.post_missing(context.session, now=context.now))}


def _hub(plugins: Plugins) -> Renderer:
    """The renderer reads the buttons at delivery time: every feature has registered its own by then."""

    def render(context: Context, row: OutboxMessage) -> Delivery:
        prop = context.session.get(Property, row.subject_id) if row.subject_id is not None else None
        if prop is None:
            raise Gone("property_gone")
        text, shown = hub_blocks(prop, plugins.buttons())
        return Message(channel=row.channel, text=text, blocks=shown, keep=property_hub.hub_of(prop.id))

    return render
