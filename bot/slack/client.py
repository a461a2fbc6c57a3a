"""Build the Slack Web API clients, with an explicit timeout and deliberate retry behaviour.

Two clients, because the two callers need different retries:
- listeners (`build_web_client`) retry a failed connection once; they do not sleep on 429, since a person is
  waiting and a trigger_id lives 3 seconds: a rate limit becomes a clear "try again" instead;
- the outbox (`build_delivery_client`) gets no automatic retries at all: it records each attempt, honours
  Retry-After by scheduling, and looks for an earlier copy before re-posting, so nothing is posted twice blind.
"""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler

from bot.errors import UserError
from bot.settings import Settings

TIMEOUT_SECONDS = 10


def _base_url(settings: Settings) -> str:
    return settings.slack_api_url if settings.slack_api_url.endswith("/") else settings.slack_api_url + "/"


def _token(settings: Settings) -> str | None:
    return settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None


def build_web_client(settings: Settings) -> WebClient:
    """The client listeners use: one retry on connection errors."""
    return WebClient(
        token=_token(settings),
        base_url=_base_url(settings),
        timeout=TIMEOUT_SECONDS,
        retry_handlers=[ConnectionErrorRetryHandler(max_retry_count=1)],
    )


def build_delivery_client(settings: Settings, *, timeout: float = TIMEOUT_SECONDS) -> WebClient:
    """The client the outbox uses: no automatic retries; the outbox decides."""
    return WebClient(token=_token(settings), base_url=_base_url(settings), timeout=timeout, retry_handlers=[])


def open_modal(client: WebClient, trigger_id: str, view: dict[str, Any]) -> None:
    """Open a modal with a click's trigger (valid 3 s); a refusal becomes a message the person can act on."""
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:
        raise UserError(f"Slack would not open the form ({exc.response.get('error')}); please try again.") from exc
