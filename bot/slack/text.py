"""Text helpers: escaping what people typed, and formatting money and dates for cards."""

from __future__ import annotations

from datetime import date


def escape(text: str) -> str:
    """Escape &, < and > so typed text cannot ping @channel, mention people or forge links in mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def money(cents: int) -> str:
    dollars, rest = divmod(cents, 100)
    return f"${dollars:,}" if rest == 0 else f"${dollars:,}.{rest:02d}"


def day(value: date) -> str:
    return f"{value:%a} {value.day} {value:%b %Y}"


def bedrooms(count: int) -> str:
    return "Studio" if count == 0 else f"{count} BR"


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
