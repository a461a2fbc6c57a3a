"""Slack inbound: each module exposes register(app, deps), a short routing table."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from handlers import cards, home, messages, properties, referrals, vacancy


def register_all(app: App, deps: Deps) -> None:
    """Register every listener Porchlight has."""
    vacancy.register(app, deps)
    cards.register(app, deps)
    referrals.register(app, deps)
    properties.register(app, deps)
    home.register(app, deps)
    messages.register(app, deps)
