"""The property's message in its shared channel: its name and the buttons features put there."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, ContextBlock, MarkdownTextObject, SectionBlock

from bot.delivery import HubButton
from bot.slack.text import escape
from storage.models import Property


def property_hub(prop: Property, buttons: list[HubButton]) -> tuple[str, list[dict[str, Any]]]:
    text = f"Porchlight for {prop.name}"
    shown: list[dict[str, Any]] = [
        SectionBlock(
            text=f"*Porchlight for {escape(prop.name)}*\nUse these buttons to work with the housing team here: "
            "they open a form only you see."
        ).to_dict()
    ]
    if buttons:
        shown.append(
            ActionsBlock(
                block_id=f"hub:{prop.id}",
                elements=[ButtonElement(action_id=b.action_id, text=b.label, value=str(prop.id)) for b in buttons],
            ).to_dict()
        )
    shown.append(
        ContextBlock(
            elements=[MarkdownTextObject(text="This channel is shared: never write a resident's name or details here.")]
        ).to_dict()
    )
    return text, shown
