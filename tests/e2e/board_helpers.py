"""Steps people take, shared by the board's end-to-end tests."""

from __future__ import annotations

from typing import Any

from sandbox import SlackSide, Workspace
from sandbox.workspace import Message
from tests.conftest import CASE_MANAGER, COORDINATOR, PARTNER_PM, VACANCIES
from tests.e2e.helpers import eventually

SHARED = "C0SHARED"
UNIT = {
    "property_id": None, "unit": "12B", "bedrooms": "2", "rent": "1250", "available_on": "2026-12-01",
    "subsidies": ["hcv"], "accessibility": ["step_free"], "screening": [], "contact": "Leasing office 555-0100",
}  # fmt: skip


def only_view(workspace: Workspace, user: str) -> Any:
    return eventually(lambda: workspace.open_views(user), what=f"a form opens for {user}")[-1]


def add_property(slack: SlackSide, workspace: Workspace, *, name: str = "Maple Court") -> None:
    """A coordinator lists a property managed by the partner company, shared channel and all."""
    slack.slash_command(user=COORDINATOR, channel=VACANCIES, command="/vacancy", text=f"property {name}")
    form = only_view(workspace, COORDINATOR)
    values = {"name": name, "address": "100 Maple Ave", "area": "Northside", "company": "Maple Management",
              "company_team": "T0PARTNER", "managers": [PARTNER_PM], "shared_channel": SHARED}  # fmt: skip
    result = slack.submit_view(form, user=COORDINATOR, values=values)
    assert result.closed, result.errors


def log_unit(slack: SlackSide, workspace: Workspace, **changes: Any) -> Message:
    """A case manager logs a unit at the first listed property; returns its card on the board."""
    before = len(cards(workspace, VACANCIES))
    slack.slash_command(user=CASE_MANAGER, channel=VACANCIES, command="/vacancy")
    form = only_view(workspace, CASE_MANAGER)
    values = dict(UNIT)
    options = next(b for b in form.view["blocks"] if b.get("block_id") == "property_id")["element"]["options"]
    values["property_id"] = options[0]["value"]
    values.update(changes)
    assert slack.submit_view(form, user=CASE_MANAGER, values=values).closed
    return eventually(lambda: cards(workspace, VACANCIES)[before:], what="the card on the board")[0]


def cards(workspace: Workspace, channel: str) -> list[Message]:
    return [m for m in workspace.messages(channel) if not m.thread_ts and m.blocks and m.blocks[0]["type"] == "header"]


def thread(workspace: Workspace, channel: str, ts: str) -> list[Message]:
    return [m for m in workspace.messages(channel) if m.thread_ts == ts]


def card_text(message: Message) -> str:
    return str(message.blocks)


def buttons(message: Message) -> list[str]:
    return [e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]]
