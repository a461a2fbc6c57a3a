"""A slash command's words: its verb (with the words people type for it) and the rest of the text."""

from __future__ import annotations

from collections.abc import Mapping

from bot.errors import UserError

HELP_WORDS = frozenset({"help", "?", "-h", "--help"})


def parse_verb(command: str, text: str, verbs: Mapping[str, str]) -> tuple[str, str]:
    """(verb, the rest): "form" for no text, "help" for a help word, else `verbs[word]`; UserError otherwise."""
    verb, _, rest = text.strip().partition(" ")
    verb = verb.lower()
    if not verb:
        return "form", ""
    if verb in HELP_WORDS:
        return "help", ""
    if verb in verbs:
        return verbs[verb], rest
    raise UserError(f"I don't know `{command} {verb}`. Try `{command}`, `{command} list` or `{command} help`.")
