"""Read Slack payloads into plain values, in one place."""

from __future__ import annotations

from typing import Any

from bot.domain.actors import Actor


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
    if kind == "static_select":
        return ((element.get("selected_option") or {}).get("value")) or ""
    return element.get("value") or ""
