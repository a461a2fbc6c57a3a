"""Check messages and views against Block Kit's limits, as Slack does before accepting them."""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_BLOCKS_MAX = 50
VIEW_BLOCKS_MAX = 100
TEXT_MAX = 3000
MESSAGE_TEXT_MAX = 40_000
PRIVATE_METADATA_MAX = 3000
VIEW_TITLE_MAX = 24


class Invalid(Exception):
    """The payload would be refused by Slack; `error` is Slack's error code, `detail` says why."""

    def __init__(self, error: str, detail: str) -> None:
        super().__init__(f"{error}: {detail}")
        self.error = error
        self.detail = detail


def check_blocks(blocks: Any, *, limit: int = MESSAGE_BLOCKS_MAX) -> None:
    """Raise Invalid if `blocks` is not a list of valid blocks within limits."""
    if not isinstance(blocks, list):
        raise Invalid("invalid_blocks_format", "blocks must be a JSON array")
    if len(blocks) > limit:
        raise Invalid("invalid_blocks", f"{len(blocks)} blocks, at most {limit}")
    seen: set[str] = set()
    for index, raw in enumerate(blocks):
        _check_block(raw, index)
        block_id = raw.get("block_id")
        if block_id is not None:
            if block_id in seen:
                raise Invalid("invalid_blocks", f"duplicate block_id {block_id!r}")
            seen.add(block_id)
    _check_texts(blocks, "blocks")


def _check_block(raw: Any, index: int) -> None:
    if not isinstance(raw, dict) or "type" not in raw:
        raise Invalid("invalid_blocks", f"block {index} has no type")
    try:
        parsed = Block.parse(raw)
        if parsed is None:
            raise Invalid("invalid_blocks", f"block {index}: unknown type {raw.get('type')!r}")
        parsed.validate_json()
    except (SlackObjectFormationError, TypeError, KeyError, AttributeError) as exc:
        raise Invalid("invalid_blocks", f"block {index}: {exc}") from exc


def _check_texts(node: Any, path: str) -> None:
    """Every text object: non-empty and at most 3000 characters (python-slack-sdk misses some nested ones)."""
    if isinstance(node, dict):
        if node.get("type") in ("plain_text", "mrkdwn") and "text" in node:
            text = node["text"]
            if not isinstance(text, str) or not text or len(text) > TEXT_MAX:
                raise Invalid("invalid_blocks", f"{path}: text must be 1-{TEXT_MAX} characters")
        for key, value in node.items():
            _check_texts(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _check_texts(value, f"{path}[{index}]")


def check_message(text: Any, blocks: Any) -> None:
    if blocks in (None, "", []) and not text:
        raise Invalid("no_text", "a message needs text or blocks")
    if isinstance(text, str) and len(text) > MESSAGE_TEXT_MAX:
        raise Invalid("msg_too_long", f"text is {len(text)} characters")
    if blocks not in (None, ""):
        check_blocks(blocks)


def check_view(view: Any) -> None:
    """Raise Invalid if `view` is not a modal or home view Slack would accept."""
    if not isinstance(view, dict) or view.get("type") not in ("modal", "home"):
        raise Invalid("invalid_arguments", "view must be an object with type modal or home")
    if len(view.get("private_metadata") or "") > PRIVATE_METADATA_MAX:
        raise Invalid("invalid_arguments", "private_metadata is longer than 3000 characters")
    blocks = view.get("blocks", [])
    check_blocks(blocks, limit=VIEW_BLOCKS_MAX)
    has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in blocks)
    if view["type"] == "modal":
        if not view.get("title"):
            raise Invalid("invalid_arguments", "a modal needs a title")
        if has_input and not view.get("submit"):
            raise Invalid("invalid_arguments", "a modal with input blocks needs a submit button")
    try:
        View(**view).validate_json()
    except (SlackObjectFormationError, TypeError) as exc:
        raise Invalid("invalid_arguments", str(exc)) from exc
