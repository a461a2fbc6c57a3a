"""Build the Slack Web API clients, with an explicit timeout and deliberate retry behaviour.

Two clients, because the two callers need different retries:
- listeners (`build_web_client`) retry a failed connection once; they do not sleep on 429, since a person is
  waiting and a trigger_id lives 3 seconds: a rate limit becomes a clear "try again" instead;
- the outbox (`build_delivery_client`) gets no automatic retries at all: it records each attempt, honours
  Retry-After by scheduling, and looks for an earlier copy before re-posting, so nothing is posted twice blind.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler

from bot.errors import SlackUnavailable, UserError
from bot.settings import Settings

TIMEOUT_SECONDS = 10
APP_TOKEN_PAGE = 'your app\'s "Basic Information" page, under "App-Level Tokens"'  # noqa: S105 - where to find it, not a token
# What Slack answers apps.connections.open when SLACK_APP_TOKEN is well-formed but wrong, and what to do about it.
APP_TOKEN_REFUSALS = {
    "invalid_auth": f"it is not a token of this app: copy the app-level token (xapp-...) from {APP_TOKEN_PAGE}",
    "not_authed": f"it is not a token of this app: copy the app-level token (xapp-...) from {APP_TOKEN_PAGE}",
    "token_revoked": f"it was revoked: generate a new one with connections:write on {APP_TOKEN_PAGE}",
    "missing_scope": f"it lacks connections:write: generate one with that scope on {APP_TOKEN_PAGE}",
    "not_allowed_token_type": f"it is not an app-level token: copy the xapp-... token from {APP_TOKEN_PAGE}",
    "socket_mode_not_enabled": 'Socket Mode is off for this app: turn it on under "Socket Mode", or leave '
    "SLACK_APP_TOKEN unset and use HTTP mode",
}


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


def build_delivery_client(settings: Settings, *, timeout: int = TIMEOUT_SECONDS) -> WebClient:
    """The client the outbox uses: no automatic retries; the outbox decides."""
    return WebClient(token=_token(settings), base_url=_base_url(settings), timeout=timeout, retry_handlers=[])


def open_modal(client: WebClient, trigger_id: str, view: dict[str, Any]) -> None:
    """Open a modal with a click's trigger (valid 3 s); a refusal becomes a message the person can act on."""
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as exc:
        raise UserError(f"Slack would not open the form ({exc.response.get('error')}); please try again.") from exc


def app_token_refused(error: str | None) -> str:
    """One line for an operator whose SLACK_APP_TOKEN Slack refused (the token itself is never shown)."""
    advice = APP_TOKEN_REFUSALS.get(error or "", f"copy the app-level token (xapp-...) from {APP_TOKEN_PAGE} again")
    return f"Slack refused SLACK_APP_TOKEN ({error}): {advice}."


class _DropWssFailure(logging.Filter):
    """slack_sdk logs a refused apps.connections.open as a three-line ERROR before raising; at start-up we say it
    once, in words an operator can act on, instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to retrieve WSS URL")


def connect_socket_mode(handler: Any) -> None:
    """Open a Bolt SocketModeHandler's first connection; a refused or unreachable Slack is a SlackUnavailable."""
    logger = handler.client.logger
    quiet = _DropWssFailure()
    logger.addFilter(quiet)
    try:
        handler.connect()
    except SlackApiError as exc:
        raise SlackUnavailable(app_token_refused(exc.response.get("error"))) from None
    except (OSError, SlackClientError) as exc:
        raise SlackUnavailable(
            f"could not open the Socket Mode connection to Slack: {type(exc).__name__}: {exc}"
        ) from None
    finally:
        logger.removeFilter(quiet)
