"""Slack inbound: each module exposes register(app, deps), a short routing table."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from handlers import cards, checkins, escalations, home, messages, partners, properties, referrals, vacancy


def register_all(app: App, deps: Deps) -> None:
    """Register every listener Porchlight has.

    Bolt tries listeners in this order until one matches, so the busiest traffic comes first: channel messages
    (every message in every channel the bot is in), then the Home tab, then commands, forms and buttons.
    """
    messages.register(app, deps)
    home.register(app, deps)
    vacancy.register(app, deps)
    cards.register(app, deps)
    referrals.register(app, deps)
    properties.register(app, deps)
    checkins.register(app, deps)
    escalations.register(app, deps)
    partners.register(app, deps)
