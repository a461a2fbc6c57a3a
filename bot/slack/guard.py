"""Turn errors inside listeners into what the person should see, and log the rest with a reference."""

from __future__ import annotations

import functools
import inspect
import logging
import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from slack_bolt import Ack, App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient
from sqlalchemy.orm import Session

from bot.errors import FormErrors, UserError
from bot.slack import payloads
from storage import inbound

log = logging.getLogger("porchlight.listeners")
# What a handler's factory returns and Bolt calls: Bolt passes the arguments a listener names (ack, body, view,
# client, respond, ...), so only the result is fixed; the guards below keep each listener's own signature.
Listener = Callable[..., None]
F = TypeVar("F", bound=Listener)


def reference() -> str:
    """A short id a person can quote to the coordinator; the log line carries the same id."""
    return secrets.token_hex(3).upper()


def sorry(ref: str) -> str:
    return f"Sorry, something went wrong on our side and nothing was changed. If it keeps happening, quote ref {ref}."


def command_guard(listener: F) -> F:
    """For slash commands and buttons: user errors become ephemeral text; anything else is logged."""

    @functools.wraps(listener)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        ack: Ack = kwargs["ack"]
        try:
            listener(*args, **kwargs)
        except UserError as exc:
            ack(text=exc.message)
        except Exception:
            ref = reference()
            log.exception("listener %s failed (ref %s)", listener.__name__, ref)
            ack(text=sorry(ref))

    return wrapper  # type: ignore[return-value]


def view_guard(*, fallback_block: str) -> Callable[[F], F]:
    """For modal submissions: errors go back in the ack so the modal stays open with what was typed."""

    def decorate(listener: F) -> F:
        @functools.wraps(listener)
        def wrapper(*args: Any, **kwargs: Any) -> None:
            ack: Ack = kwargs["ack"]
            try:
                listener(*args, **kwargs)
            except FormErrors as exc:
                ack(response_action="errors", errors=exc.errors)
            except UserError as exc:
                ack(response_action="errors", errors={fallback_block: exc.message})
            except Exception:
                ref = reference()
                log.exception("view listener %s failed (ref %s)", listener.__name__, ref)
                ack(response_action="errors", errors={fallback_block: sorry(ref)})

        return wrapper  # type: ignore[return-value]

    return decorate


def action_guard(listener: F) -> F:
    """For buttons: ack at once; user errors (not allowed, already done) go back privately to the clicker.

    The listener's `respond` never raises: a response_url that cannot be reached must not turn a click that
    has already been committed into an error (Slack would show a 500; we would say "nothing was changed").
    """
    wanted = inspect.getfullargspec(listener).args

    # Bolt injects arguments by the names it reads from the (unwrapped) signature: this one asks for the client,
    # to answer the clicker another way, whether or not the listener itself wants it.
    def wrapper(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        reply = Reply(body, client, listener=wrapper.__name__)
        given = {"ack": ack, "body": body, "respond": reply, "client": client}
        try:
            listener(**{name: given[name] for name in wanted})
        except UserError as exc:
            reply(text=exc.message, response_type="ephemeral", replace_original=False)
        except Exception:
            ref = reference()
            log.exception("action %s failed (ref %s)", listener.__name__, ref)
            reply(text=sorry(ref), response_type="ephemeral", replace_original=False)

    functools.update_wrapper(wrapper, listener)
    del wrapper.__wrapped__  # type: ignore[attr-defined]  # else Bolt would read the listener's own signature
    return wrapper  # type: ignore[return-value]


# A response_url answer is part of the click's answer (Bolt sends the ack once the listener returns): a slow
# one must not hold it for slack_sdk's 30 s, nor be tried twice.
RESPONSE_URL_TIMEOUT = 2  # seconds (slack_sdk takes whole seconds)
# slack_sdk's webhook client logs each failure itself (and, at DEBUG, the message it sends: what a person may
# have typed); we log one line of our own instead.
_WEBHOOK_LOG = logging.getLogger("porchlight.listeners.webhook")
_WEBHOOK_LOG.propagate = False
_WEBHOOK_LOG.addHandler(logging.NullHandler())
_WEBHOOK_LOG.setLevel(logging.CRITICAL)


def response_url_client(url: str) -> WebhookClient:
    """A client for one response_url: short timeout, no retries, silent (the caller logs)."""
    return WebhookClient(url, timeout=RESPONSE_URL_TIMEOUT, logger=_WEBHOOK_LOG, retry_handlers=[])


class Reply:
    """`respond(...)` for a click that never raises: through the response_url, else an ephemeral message."""

    def __init__(self, body: dict[str, Any], client: WebClient, *, listener: str) -> None:
        self._url = body.get("response_url") if isinstance(body.get("response_url"), str) else None
        self._client = client
        self._listener = listener
        self._user = payloads.actor_of(body).user_id
        channel = body.get("channel")
        container: dict[str, Any] = body["container"] if isinstance(body.get("container"), dict) else {}
        self._channel = channel.get("id") if isinstance(channel, dict) else container.get("channel_id")

    def __call__(self, text: str = "", **message: Any) -> bool:
        """Send `text` (and blocks, response_type, replace_original) to the clicker; False if nobody was told."""
        if self._url and self._post(text, message):
            return True
        return self._ephemeral(text)

    def _post(self, text: str, message: dict[str, Any]) -> bool:
        assert self._url is not None
        try:
            response = response_url_client(self._url).send_dict({"text": text, **message})
        except Exception as exc:  # any network failure: logged here, and answered another way
            log.warning("could not answer %s through its response_url: %s", self._listener, type(exc).__name__)
            return False
        if response.status_code != 200:
            log.warning("could not answer %s through its response_url: HTTP %s", self._listener, response.status_code)
            return False
        return True

    def _ephemeral(self, text: str) -> bool:
        if not (self._channel and self._user and isinstance(self._channel, str)):
            return False
        try:
            self._client.chat_postEphemeral(channel=self._channel, user=self._user, text=text)
        except SlackApiError as exc:
            log.warning("could not tell the clicker of %s privately either: %s", self._listener,
                        exc.response.get("error"))  # fmt: skip
            return False
        except Exception as exc:  # the network or the client failed: logged, and nobody else to ask
            log.warning("could not tell the clicker of %s privately either: %s", self._listener, type(exc).__name__)
            return False
        return True


def first_submission(session: Session, key: str | None, *, now: datetime) -> bool:
    """False when the view submission with this key (payloads.submission_key) was stored before: a replay.

    Call it inside the transaction that stores the submission, so the key is kept only with what it stored:
    a submission that came back with errors keeps its view id and hash, and must be accepted once corrected.
    """
    if key is None or inbound.first_submission(session, key=key, now=now):
        return True
    log.warning("a view submission was replayed; it was stored the first time (%s)", key)
    return False


def install(app: App) -> None:
    """Bolt's own error handler logs a traceback and answers 500; ours logs one line with a reference and
    answers what Slack can use: the person who typed a command hears sorry, everything else gets a plain 200."""

    def porchlight_error(error: Exception, body: dict[str, Any]) -> BoltResponse:
        ref = reference()
        log.error("request failed inside Bolt (ref %s)", ref, exc_info=error)
        if isinstance(body, dict) and isinstance(body.get("command"), str):
            return BoltResponse(status=200, body={"response_type": "ephemeral", "text": sorry(ref)})
        return BoltResponse(status=200, body="")

    app.error(porchlight_error)
