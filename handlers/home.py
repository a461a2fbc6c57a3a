"""The App Home tab: what Porchlight is and how to use it."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.domain import access, home
from bot.slack import blocks
from bot.slack.guard import Listener
from bot.slack.payloads import home_viewer
from handlers import checkins, escalations, partners

log = logging.getLogger("porchlight.home")


def register(app: App, deps: Deps) -> None:
    app.event("app_home_opened")(_home_opened(deps))


def _home_opened(deps: Deps) -> Listener:
    def home_opened(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab") != "home":
            return
        actor = home_viewer(event, body)
        if actor is None:
            log.warning("ignored an app_home_opened event without a user")
            return
        with deps.session_factory() as session:
            shown = home.home_for(session, actor, access.reach_of(session, deps.roles, actor))
            view = blocks.home_view(shown, vacancy_channel=deps.settings.vacancy_channel)
            view["blocks"][1:1] = escalations.home_blocks(deps, session, actor, scope=shown.scope)  # after the title
            view["blocks"][-2:-2] = checkins.home_blocks(deps, session, actor, scope=shown.scope)  # before the help
            view["blocks"][-2:-2] = partners.home_blocks(deps, session, actor, scope=shown.scope)
        try:
            client.views_publish(user_id=actor.user_id, view=view)
        except SlackApiError as exc:
            log.warning("could not publish the Home tab: %s", exc.response.get("error"))

    return home_opened
