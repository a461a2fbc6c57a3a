"""Read Slack payloads into plain values, in one place."""

from __future__ import annotations

from typing import Any

from bot.domain.actors import Actor
from bot.errors import UserError


def actor_of(body: dict[str, Any]) -> Actor:
    """The acting user and their own team (for Slack Connect, the partner's team, not ours)."""
    user = body.get("user")
    if isinstance(user, dict):
        team = user.get("team_id") or (body.get("team") or {}).get("id")
        return Actor(str(user.get("id")), team)
    return Actor(str(body.get("user_id")), body.get("user_team_id") or body.get("team_id"))


def input_value(values: dict[str, Any], block_id: str) -> Any:
    """The value of the single element in an input block, whatever its type; '' or () when empty."""
    element = next(iter((values.get(block_id) or {}).values()), None) or {}
    kind = element.get("type")
    if kind == "datepicker":
        return element.get("selected_date") or ""
    if kind in ("multi_static_select", "checkboxes"):
        return tuple(o.get("value") for o in element.get("selected_options") or [] if isinstance(o, dict))
    if kind in ("static_select", "radio_buttons"):
        return ((element.get("selected_option") or {}).get("value")) or ""
    if kind == "multi_users_select":
        return tuple(element.get("selected_users") or ())
    if kind == "channels_select":
        return element.get("selected_channel") or ""
    return element.get("value") or ""


def action_value(body: dict[str, Any]) -> str:
    """The clicked button's value."""
    actions = body.get("actions") or [{}]
    return str(actions[0].get("value") or "")


def row_id(value: str) -> int:
    """A row id carried in a button value or private_metadata; a UserError if it was tampered with."""
    if not value.isdigit():
        raise UserError("That button no longer works; please use the newest card.")
    return int(value)
