"""Porchlight's own errors: a user-facing error carries a message that is safe to show."""

from __future__ import annotations


class PorchlightError(Exception):
    """Base of every error Porchlight raises on purpose."""


class UserError(PorchlightError):
    """Something the person did or asked for cannot be done; `message` is safe to show them."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotAllowed(UserError):
    """The person may not do this (wrong role, not their property, not their team)."""


class FormErrors(UserError):
    """A modal submission has invalid fields: `errors` maps block_id to a message shown under that field."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("Please correct the highlighted fields.")
        self.errors = errors


class SettingsError(PorchlightError):
    """Settings are missing or malformed; `problems` lists one line per setting, safe to print."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class SlackUnavailable(PorchlightError):
    """Slack could not be reached or refused our credentials at start-up."""


class CannotServe(PorchlightError):
    """The HTTP port cannot be listened on at start-up (taken, or not allowed); the message is one line."""
