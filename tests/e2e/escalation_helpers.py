"""Steps people take with escalations, shared by the escalation tests."""

from __future__ import annotations

import json
from typing import Any

from bot.slack.ids import SHORTCUT_ESCALATE
from sandbox import SlackSide, Workspace
from sandbox.workspace import Message, OpenView
from tests.conftest import PARTNER_PM
from tests.e2e.board_helpers import SHARED, only_view
from tests.e2e.helpers import eventually

ESCALATE = "C0ESCALATE"
RSC = "U0RSC"
GENERAL = "C0GENERAL"
# The domain documents' case study, as an RSC would write it: roles, never names.
CASE_STUDY = (
    "The tenant is two months behind on rent and has had noise complaints. They refused outreach from the RSC, "
    "then received an eviction notice and told the PM the RSC was not helpful."
)
TRIED = "RSC called twice and left a note at the door; the PM served the notice last week."


def form_values(form: OpenView, **changes: Any) -> dict[str, Any]:
    """A filled escalation form: the first listed property, nonpayment, the PM as the other party."""
    options = next(b for b in form.view["blocks"] if b.get("block_id") == "property_id")["element"]["options"]
    values: dict[str, Any] = {
        "property_id": options[0]["value"], "category": "nonpayment", "urgency": "normal",
        "other_party": [PARTNER_PM], "what_happened": CASE_STUDY, "tried": TRIED, "client_code": "CM-20431",
        "roi": "yes",
    }  # fmt: skip
    values.update(changes)
    return values


def open_form(slack: SlackSide, workspace: Workspace, *, user: str = RSC, channel: str = GENERAL) -> OpenView:
    slack.slash_command(user=user, channel=channel, command="/escalate")
    view: OpenView = only_view(workspace, user)
    return view


def escalate(slack: SlackSide, workspace: Workspace, *, user: str = RSC, **changes: Any) -> Message:
    """`user` raises a case with /escalate; returns its status card in the escalation channel."""
    before = len(case_cards(workspace))
    form = open_form(slack, workspace, user=user)
    result = slack.submit_view(form, user=user, values=form_values(form, **changes))
    assert result.closed, result.errors
    return eventually(lambda: case_cards(workspace)[before:], what="the status card")[0]


def case_cards(workspace: Workspace) -> list[Message]:
    return [m for m in workspace.messages(ESCALATE) if not m.thread_ts and m.blocks and m.blocks[0]["type"] == "header"]


def card_of(workspace: Workspace, number: str) -> Message:
    return next(m for m in case_cards(workspace) if m.blocks[0]["text"]["text"].startswith(number + " "))


def shown(message: Message) -> str:
    return json.dumps(message.blocks, ensure_ascii=False) + message.text


def hub_message(workspace: Workspace) -> Message:
    return eventually(
        lambda: [m for m in workspace.messages(SHARED) if "escalation_raise" in shown(m)], what="the property's hub"
    )[0]


def dms(workspace: Workspace, user: str) -> list[str]:
    return [m.text for c in workspace.channels.values() if c.is_im and user in c.members for m in c.messages]


def dm_containing(workspace: Workspace, user: str, text: str) -> str:
    return eventually(lambda: [t for t in dms(workspace, user) if text in t], what=f"{user} told {text!r}")[-1]


def told(workspace: Workspace, user: str, containing: str) -> str:
    return eventually(
        lambda: [e.text for e in workspace.ephemerals_for(user) if containing in e.text], what=f"{user} is told"
    )[-1]


def choose_category(slack: SlackSide, form: OpenView, *, user: str, category: str) -> Any:
    """The person picks a category in the open form (a dispatch_action select: Slack sends a block action)."""
    return slack.view_action(form, user=user, block_id="category", value=category)


def message_shortcut(slack: SlackSide, *, user: str, message: Message) -> Any:
    """A person picks "Escalate to coordinator" on a message (Slack sends the message, text and all)."""
    return slack.message_shortcut(user=user, message=message, callback_id=SHORTCUT_ESCALATE)
