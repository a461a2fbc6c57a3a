"""Turn errors inside listeners into what the person should see, and log the rest with a reference."""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from slack_bolt import Ack, Respond

from bot.errors import FormErrors, UserError

log = logging.getLogger("porchlight.listeners")
F = TypeVar("F", bound=Callable[..., None])


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
    """For buttons: ack at once; user errors (not allowed, already done) go back privately to the clicker."""

    @functools.wraps(listener)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        ack: Ack = kwargs["ack"]
        respond: Respond = kwargs["respond"]
        ack()
        try:
            listener(*args, **kwargs)
        except UserError as exc:
            respond(text=exc.message, response_type="ephemeral", replace_original=False)
        except Exception:
            ref = reference()
            log.exception("action %s failed (ref %s)", listener.__name__, ref)
            respond(text=sorry(ref), response_type="ephemeral", replace_original=False)

    return wrapper  # type: ignore[return-value]
