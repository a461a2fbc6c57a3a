"""Read Slack payloads into plain values, in one place.

A body is checked once, before Bolt sees it (`problem`): Bolt's middleware and matchers index into `actions`,
`view` and `event` without looking, so a signed but malformed body would otherwise fail inside Bolt with a
traceback and a 500. What passes the check has the shape every listener relies on; the values inside (ids,
inputs) are then read by the total functions below, which never raise anything but a UserError.
"""

from __future__ import annotations

import hashlib
from typing import Any

from bot.domain import numbers
from bot.domain.actors import Actor
from bot.errors import UserError

# Slack's own payloads nest about ten levels (rich text inside blocks inside a message inside an event);
# anything far deeper is not from Slack, and walking it would cost a RecursionError somewhere.
MAX_DEPTH = 32
MAX_PAGE = 10_000

INTERACTIVE_TYPES = frozenset(
    {"block_actions", "view_submission", "view_closed", "shortcut", "message_action", "block_suggestion"}
)
VIEW_TYPES = frozenset({"view_submission", "view_closed"})
# Events Porchlight listens to, and the fields of them it reads (always strings when present).
_EVENT_STRINGS = {
    "message": ("user", "channel", "ts", "thread_ts", "subtype", "user_team", "team"),
    "app_home_opened": ("user", "tab"),
    "reaction_added": ("user", "item_user", "reaction", "user_team"),
}
# Top-level fields Bolt reads as "a string or an object with an id" when building its context.
_STR_OR_OBJECT = ("user", "team", "enterprise", "channel")
# Submissions are remembered under this prefix in the inbound dedup table, beside Slack's event ids.
SUBMISSION_KEY_PREFIX = "view:"


def problem(body: dict[str, Any]) -> str | None:
    """Why this body cannot be handled (a short, fixed phrase: safe to log), or None when its shape is sound."""
    if _too_deep(body):
        return "nested too deeply"
    for name in _STR_OR_OBJECT:
        value = body.get(name)
        if value is not None and not isinstance(value, str | dict):
            return f"{name} is neither a string nor an object"
        if isinstance(value, dict) and not isinstance(value.get("id", ""), str):
            return f"{name}.id is not a string"
    for name in ("authorizations", "response_urls"):
        if body.get(name) is not None and not _list_of_objects(body[name], allow_empty=True):
            return f"{name} is not a list of objects"
    kind = body.get("type")
    if kind is not None and not isinstance(kind, str):
        return "type is not a string"
    if "command" in body and not isinstance(body["command"], str):
        return "command is not a string"
    if kind in INTERACTIVE_TYPES:
        return _interactive_problem(body, kind)
    if kind == "event_callback":
        return _event_problem(body)
    return None


def is_interactive(body: dict[str, Any]) -> bool:
    """A person's click or submission: Slack expects a plain 200 for these, whatever we made of them."""
    return body.get("type") in INTERACTIVE_TYPES


def _interactive_problem(body: dict[str, Any], kind: str) -> str | None:
    user = body.get("user")
    if not isinstance(user, dict) or not isinstance(user.get("id"), str) or not user["id"]:
        return "user is missing"
    if body.get("response_url") is not None and not isinstance(body["response_url"], str):
        return "response_url is not a string"
    view = body.get("view")
    if kind in VIEW_TYPES or view is not None:
        if not isinstance(view, dict):
            return "view is not an object"
        for name in ("id", "type", "callback_id", "hash", "private_metadata"):
            if not isinstance(view.get(name, ""), str):
                return f"view.{name} is not a string"
        if kind in VIEW_TYPES and not (isinstance(view.get("callback_id"), str) and isinstance(view.get("type"), str)):
            return "view has no callback_id or type"
        # A submission is read from its state; a click inside a modal, or a close, may come without one.
        missing: dict[str, Any] | None = None if kind == "view_submission" else {}
        state = view.get("state", missing)
        values = state.get("values", missing) if isinstance(state, dict) else None
        if not isinstance(values, dict) or not all(isinstance(v, dict) for v in values.values()):
            return "view.state.values is not an object of objects"
    if kind == "block_actions":
        actions = body.get("actions")
        if not _list_of_objects(actions, allow_empty=False):
            return "actions is not a non-empty list of objects"
        if not all(isinstance(a.get("action_id"), str) for a in actions or ()):
            return "an action has no action_id"
    return None


def _event_problem(body: dict[str, Any]) -> str | None:
    event = body.get("event")
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        return "event is not an object with a type"
    if not isinstance(body.get("event_id", ""), str):
        return "event_id is not a string"
    for name in _EVENT_STRINGS.get(event["type"], ()):
        if event.get(name) is not None and not isinstance(event[name], str):
            return f"event.{name} is not a string"
    if event.get("item") is not None and not isinstance(event["item"], dict):
        return "event.item is not an object"  # Bolt reads a reaction's item.channel without looking
    return None


def _list_of_objects(value: Any, *, allow_empty: bool) -> bool:
    return isinstance(value, list) and (allow_empty or bool(value)) and all(isinstance(v, dict) for v in value)


def _too_deep(body: Any) -> bool:
    """Walk without recursion, so the check itself cannot overflow the stack."""
    stack: list[tuple[Any, int]] = [(body, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def actor_of(body: dict[str, Any]) -> Actor:
    """The acting user and their own team (for Slack Connect, the partner's team, not ours)."""
    user = body.get("user")
    if isinstance(user, dict):
        team = user.get("team_id") or _id_of(body.get("team"))
        return Actor(_text(user.get("id")), team if isinstance(team, str) else None)
    team = body.get("user_team_id") or body.get("team_id")
    return Actor(_text(body.get("user_id")), team if isinstance(team, str) else None)


def home_viewer(event: dict[str, Any], body: dict[str, Any]) -> Actor | None:
    """Who opened the Home tab, or None when the event does not say (nothing to publish then)."""
    user = event.get("user")
    if not isinstance(user, str) or not user:
        return None
    team = event.get("user_team") or body.get("team_id")
    return Actor(user, team if isinstance(team, str) else None)


def input_value(values: dict[str, Any], block_id: str) -> Any:
    """The value of the single element in an input block, whatever its type; '' or () when empty or malformed."""
    block = values.get(block_id)
    element = next(iter(block.values()), None) if isinstance(block, dict) else None
    if not isinstance(element, dict):
        return ""
    kind = element.get("type")
    if kind == "datepicker":
        return _text(element.get("selected_date"))
    if kind in ("multi_static_select", "checkboxes"):
        return tuple(_text(o.get("value")) for o in _list(element.get("selected_options")) if isinstance(o, dict))
    if kind in ("static_select", "radio_buttons"):
        selected = element.get("selected_option")
        return _text(selected.get("value")) if isinstance(selected, dict) else ""
    if kind == "multi_users_select":
        return tuple(u for u in _list(element.get("selected_users")) if isinstance(u, str))
    if kind == "channels_select":
        return _text(element.get("selected_channel"))
    return _text(element.get("value"))


def action_value(body: dict[str, Any]) -> str:
    """The clicked button's value ('' when it has none, or is not text)."""
    actions = body.get("actions")
    first = actions[0] if isinstance(actions, list) and actions else None
    return _text(first.get("value")) if isinstance(first, dict) else ""


def parse_row_id(value: object) -> int | None:
    """A row id from a button value or private_metadata (a string of ASCII digits, or a JSON integer), or None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value <= numbers.MAX_ROW_ID else None
    return numbers.row_id(value)


def row_id(value: object) -> int:
    """A row id carried in a button value or private_metadata; a UserError if it was tampered with."""
    number = parse_row_id(value)
    if number is None:
        raise UserError("That button no longer works; please use the newest card.")
    return number


def parse_page(value: object) -> int | None:
    """A list page number (0-based) from a page button, or None."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_PAGE:
        return value
    return None


def submission_key(body: dict[str, Any]) -> str | None:
    """The key a view submission is remembered by, so a replay of the same body stores once.

    A modal's id stays the same while it is open and its hash changes whenever it is updated; a submission
    that came back with errors keeps both, so the key must only be recorded together with what it stored.
    """
    view = body.get("view")
    if not isinstance(view, dict) or not isinstance(view.get("id"), str) or not view["id"]:
        return None
    digest = hashlib.sha256(f"{view['id']}\n{view.get('hash') or ''}".encode()).hexdigest()[:40]
    return SUBMISSION_KEY_PREFIX + digest


def _id_of(value: Any) -> Any:
    return value.get("id") if isinstance(value, dict) else value


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
