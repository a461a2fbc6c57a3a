"""Escalations in Slack: the form, the status card and its thread, the welfare checklist, DMs, the list, the
Home tab's section. Pure builders: plain values in, payload dicts out.

What people typed (what happened, what was tried, notes, the summary) appears only in what goes to the
escalation channel and to the parties' DMs; `shared_status` (for a shared channel) carries the case number and
status alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    DatePickerElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.escalations import (
    CATEGORY_LABELS,
    NOTE_LIMIT,
    OUTCOME_LABELS,
    STATUS_LABELS,
    STEP_LABELS,
    TEXT_LIMIT,
    URGENCY_LABELS,
    Category,
    Event,
    Line,
    Status,
    Step,
    Urgency,
    case_number,
    deadline_for,
)
from bot.errors import UserError
from bot.slack import ids
from bot.slack.payloads import parse_row_id
from bot.slack.text import escape, truncate
from storage.models import Escalation, EscalationNote, EscalationStep

Blocks = list[dict[str, Any]]
WELFARE_911 = ":rotating_light: *If someone is in danger right now, call 911 first.* Then raise the concern here."
REPAIR_NOTE = (
    ":wrench: Repairs go to the property manager as a *work order*. Escalate here when a work order has not "
    "been answered or the repair is in dispute."
)
CODE_HINT = "Your agency's client reference code, never a name. Leave empty if no client is involved."
MEDIATION_TIMES = tuple(time(h, m) for h in range(8, 19) for m in (0, 30) if (h, m) != (18, 30))
HELP_TEXT = (
    "*Escalations*\n"
    "• `/escalate` — raise an issue you could not settle with the property manager or the RSC\n"
    "• `/escalate list [property:NAME] [category:KIND] [overdue]` — open cases by next deadline (coordinators: all; "
    "everyone else: their own)\n"
    "• On any message: *⋯ → Escalate to coordinator* (the case links to the message; its text is not copied)\n"
    "• In a property's shared channel: the *Raise an issue* button on Porchlight's message"
)


def when(instant: datetime | None, zone: ZoneInfo) -> str:
    if instant is None:
        return "—"
    local = instant.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b}, {local:%H:%M}"


def age(since: datetime, now: datetime) -> str:
    hours = max(0, int((now - since).total_seconds() // 3600))
    if hours < 1:
        return "less than an hour"
    if hours < 48:
        return f"{hours} h"
    return f"{hours // 24} days"


# -- the form ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FormMeta:
    """What the escalation form carries: the message it was raised from (channel and ts only), or the shared
    channel whose button opened it."""

    channel: str | None = None
    ts: str | None = None

    def dump(self) -> str:
        return json.dumps({"channel": self.channel, "ts": self.ts})

    @classmethod
    def load(cls, raw: str | None) -> FormMeta:
        try:
            data = json.loads(raw or "{}")
        except (ValueError, RecursionError):
            return cls()
        if not isinstance(data, dict):
            return cls()
        channel, ts = data.get("channel"), data.get("ts")
        return cls(channel=channel if isinstance(channel, str) else None, ts=ts if isinstance(ts, str) else None)


def escalation_modal(
    meta: FormMeta,
    *,
    properties: tuple[tuple[int, str], ...],
    chosen_property: int | None = None,
    category: str | None = None,
    linked: bool = False,
) -> dict[str, Any]:
    """The one form behind /escalate, the message shortcut and the hub button. `category` (once chosen) adds
    what that kind of case needs at the top: 911 for a welfare concern, work orders for repairs."""
    notices: list[Block] = []
    if category == Category.WELFARE:
        notices.append(SectionBlock(block_id="notice_welfare", text=WELFARE_911))
    elif category == Category.REPAIR:
        notices.append(SectionBlock(block_id="notice_repair", text=REPAIR_NOTE))
    options = [Option(value=str(pid), text=truncate(name, 75)) for pid, name in properties[:100]]
    initial = next((o for o in options if o.value == str(chosen_property)), None)
    category_options = [Option(value=c.value, text=label) for c, label in CATEGORY_LABELS.items()]
    blocks: list[Block] = [
        *notices,
        SectionBlock(
            block_id="intro",
            text="For what you could not settle between you. The coordinator mediates; both of you are told "
            "what happens next.\n:lock: *No names or personal details*: say “the tenant”, “the client”."
            + ("\n:link: The case will link to the message you chose; its text is not copied." if linked else ""),
        ),
        InputBlock(
            block_id="property_id",
            label="Property",
            element=StaticSelectElement(
                action_id="property_id", placeholder="Choose the property", options=options, initial_option=initial
            ),
        ),
        InputBlock(
            block_id="category",
            label="What kind of issue",
            dispatch_action=True,
            element=StaticSelectElement(
                action_id=ids.ACTION_ESCALATION_CATEGORY,
                placeholder="Choose",
                options=category_options,
                initial_option=next((o for o in category_options if o.value == category), None),
            ),
        ),
        InputBlock(
            block_id="urgency",
            label="Urgency",
            element=RadioButtonsElement(
                action_id="urgency",
                initial_option=Option(value=Urgency.NORMAL, text=URGENCY_LABELS[Urgency.NORMAL]),
                options=[Option(value=u.value, text=label) for u, label in URGENCY_LABELS.items()],
            ),
            hint="Urgent shortens the coordinator's deadlines to 4 and 8 working hours.",
        ),
        InputBlock(
            block_id="other_party",
            label="The other party",
            element=UserMultiSelectElement(
                action_id="other_party", placeholder="The property manager or the RSC", max_selected_items=1
            ),
        ),
        _text("what_happened", "What happened", multiline=True, limit=TEXT_LIMIT),
        _text("tried", "What has been tried", multiline=True, limit=TEXT_LIMIT, optional=True),
        _text("client_code", "Client reference code", limit=24, optional=True, hint=CODE_HINT),
        InputBlock(
            block_id="roi",
            label="Release of information (ROI) on file?",
            element=RadioButtonsElement(
                action_id="roi", options=[Option(value="yes", text="Yes"), Option(value="no", text="No")]
            ),
        ),
    ]
    view = View(type="modal", callback_id=ids.VIEW_ESCALATION_NEW, title="Raise an issue", submit="Escalate",
                close="Cancel", private_metadata=meta.dump(), blocks=blocks)  # fmt: skip
    view.validate_json()
    return view.to_dict()


def _text(block_id: str, label: str, *, limit: int, optional: bool = False, multiline: bool = False,
          hint: str | None = None) -> Block:  # fmt: skip
    return InputBlock(
        block_id=block_id, label=label, optional=optional, hint=hint or "No names or personal details.",
        element=PlainTextInputElement(action_id=block_id, multiline=multiline, max_length=limit),
    )  # fmt: skip


def with_category(view: dict[str, Any], category: str) -> dict[str, Any]:
    """The open form again with the notice the chosen category needs (its inputs keep what was typed: Slack keeps
    an input's state when its block_id stays the same)."""
    blocks = [b for b in view.get("blocks", []) if b.get("block_id") not in ("notice_welfare", "notice_repair")]
    notice = {Category.WELFARE: ("notice_welfare", WELFARE_911), Category.REPAIR: ("notice_repair", REPAIR_NOTE)}
    if category in notice:
        block_id, text = notice[Category(category)]
        blocks.insert(0, SectionBlock(block_id=block_id, text=text).to_dict())
    kept: dict[str, Any] = {
        k: view[k] for k in ("type", "callback_id", "title", "submit", "close", "private_metadata") if k in view
    }
    return {**kept, "blocks": blocks}


@dataclass(frozen=True)
class CaseMeta:
    """private_metadata of a form about one case."""

    case_id: int

    def dump(self) -> str:
        return json.dumps({"case": self.case_id})

    @classmethod
    def load(cls, raw: str | None) -> CaseMeta:
        try:
            data = json.loads(raw or "{}")
            case_id = parse_row_id(data["case"])
            if case_id is None:
                raise ValueError("not a case id")
            return cls(case_id)
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            raise UserError("That form is out of date; please start again from the case's card.") from exc


def _case_modal(callback_id: str, title: str, submit: str, case_id: int, blocks: list[Block]) -> dict[str, Any]:
    view = View(type="modal", callback_id=callback_id, title=title, submit=submit, close="Cancel",
                private_metadata=CaseMeta(case_id).dump(), blocks=blocks)  # fmt: skip
    view.validate_json()
    return view.to_dict()


def mediation_modal(escalation: Escalation, *, today: date) -> dict[str, Any]:
    times = [Option(value=t.strftime("%H:%M"), text=t.strftime("%H:%M")) for t in MEDIATION_TIMES]
    blocks: list[Block] = [
        SectionBlock(
            text=f"Mediation for *{case_number(escalation.id)}*: both parties are told now and reminded "
            "the working day before."
        ),
        InputBlock(
            block_id="day", label="Day", element=DatePickerElement(action_id="day", initial_date=today.isoformat())
        ),
        InputBlock(block_id="time", label="Time", element=StaticSelectElement(action_id="time", options=times)),
    ]
    return _case_modal(ids.VIEW_ESCALATION_MEDIATION, "Schedule mediation", "Schedule", escalation.id, blocks)


def note_modal(escalation: Escalation) -> dict[str, Any]:
    blocks: list[Block] = [_text("note", f"Note on {case_number(escalation.id)}", multiline=True, limit=NOTE_LIMIT)]
    return _case_modal(ids.VIEW_ESCALATION_NOTE, "Add a note", "Add", escalation.id, blocks)


def resolve_modal(escalation: Escalation, *, ask_debrief: bool) -> dict[str, Any]:
    outcomes = [Option(value=o.value, text=label) for o, label in OUTCOME_LABELS.items()]
    blocks: list[Block] = [
        InputBlock(block_id="outcome", label="Outcome",
                   element=StaticSelectElement(action_id="outcome", placeholder="Choose", options=outcomes)),
        _text("summary", "Summary", multiline=True, limit=NOTE_LIMIT),
    ]  # fmt: skip
    if ask_debrief:
        blocks.append(
            InputBlock(
                block_id="debrief", label="Post-incident debrief", optional=True,
                hint="A welfare concern is resolved once its debrief is held.",
                element=CheckboxesElement(
                    action_id="debrief", options=[Option(value="held", text="The debrief was held")]
                ),
            )
        )  # fmt: skip
    return _case_modal(ids.VIEW_ESCALATION_RESOLVE, f"Resolve {case_number(escalation.id)}", "Resolve",
                       escalation.id, blocks)  # fmt: skip


# -- the status card, its thread and the checklist ---------------------------------------------------------------


def status_card(escalation: Escalation, *, property_name: str, now: datetime, zone: ZoneInfo) -> tuple[str, Blocks]:
    """The case in the escalation channel (coordinators only): facts, what was typed, and the buttons."""
    status = Status(escalation.status)
    number = case_number(escalation.id)
    overdue = status == Status.OPEN and escalation.overdue_since is not None
    state = STATUS_LABELS[status] + (" · :warning: *OVERDUE*" if overdue else "")
    if status in (Status.ACKNOWLEDGED, Status.MEDIATION) and escalation.acknowledged_by:
        state += f" by <@{escalation.acknowledged_by}>"
    if status == Status.MEDIATION:
        state += f" · mediation {when(escalation.mediation_at, zone)}"
    if status == Status.RESOLVED and escalation.outcome:
        state += f": {OUTCOME_LABELS.get(escalation.outcome, escalation.outcome)} (<@{escalation.resolved_by}>)"  # type: ignore[call-overload]
    urgency = URGENCY_LABELS[Urgency(escalation.urgency)]
    fields = [
        f"*Property*\n{escape(property_name)}",
        f"*Category*\n{CATEGORY_LABELS[Category(escalation.category)]}",
        f"*Urgency*\n{':red_circle: ' if escalation.urgency == Urgency.URGENT else ''}{urgency}",
        f"*Parties*\n<@{escalation.raised_by}> (raised) · <@{escalation.other_party}>",
        f"*Age*\n{age(escalation.created_at, now)}",
        f"*Next deadline*\n{when(deadline_for(escalation, now), zone)}",
    ]
    details = [f"*What happened:* {escape(escalation.what_happened)}"]
    if escalation.tried:
        details.append(f"*Tried:* {escape(escalation.tried)}")
    extra = [f"ROI on file: {'yes' if escalation.roi_on_file else 'no'}"]
    if escalation.client_code:
        extra.append(f"client {escape(escalation.client_code)}")
    if escalation.source_channel and escalation.source_ts:
        extra.append(
            f"<{message_link(escalation.source_channel, escalation.source_ts)}|the message it was raised from>"
        )
    if status == Status.RESOLVED and escalation.summary:
        details.append(f"*Summary:* {escape(escalation.summary)}")
    blocks: list[Block] = [
        HeaderBlock(
            text=truncate(f"{number} · {CATEGORY_LABELS[Category(escalation.category)]} · {property_name}", 150)
        ),
        SectionBlock(text=f"*Status:* {state}"),
        SectionBlock(fields=[MarkdownTextObject(text=f) for f in fields]),
        SectionBlock(text=truncate("\n".join(details), 3000)),
        ContextBlock(elements=[MarkdownTextObject(text=" · ".join(extra))]),
    ]
    value = str(escalation.id)
    buttons: list[ButtonElement] = []
    if status == Status.OPEN:
        buttons.append(
            ButtonElement(action_id=ids.ACTION_ESCALATION_ACK, text="Acknowledge", value=value, style="primary")
        )
    if status in (Status.OPEN, Status.ACKNOWLEDGED, Status.MEDIATION):
        label = "Reschedule mediation" if status == Status.MEDIATION else "Schedule mediation"
        buttons.append(ButtonElement(action_id=ids.ACTION_ESCALATION_MEDIATION, text=label, value=value))
    buttons.append(ButtonElement(action_id=ids.ACTION_ESCALATION_NOTE, text="Add note", value=value))
    if status != Status.RESOLVED:
        buttons.append(ButtonElement(action_id=ids.ACTION_ESCALATION_RESOLVE, text="Resolve", value=value))
    else:
        buttons.append(ButtonElement(action_id=ids.ACTION_ESCALATION_REOPEN, text="Reopen", value=value))
    # A new block_id on every version, as Slack asks of edited messages.
    blocks.append(ActionsBlock(block_id=f"escalation:{escalation.id}:{escalation.version}", elements=buttons))
    late = ", overdue" if overdue else ""
    text = (
        f"{number} ({STATUS_LABELS[status]}{late}): {CATEGORY_LABELS[Category(escalation.category)]} at {property_name}"
    )
    return escape(text), [b.to_dict() for b in blocks]


def message_link(channel: str, ts: str) -> str:
    """Slack's permalink shape for a message: built from its channel and ts, so nothing of it is fetched or kept."""
    return f"https://slack.com/archives/{channel}/p{ts.replace('.', '')}"


EVENT_WORDS = {
    Event.RAISED: "raised",
    Event.ACKNOWLEDGED: "acknowledged",
    Event.MEDIATION: "mediation scheduled",
    Event.RESOLVED: "resolved",
    Event.REOPENED: "reopened",
}


def thread_line(escalation: Escalation, *, event: str, by: str, note: EscalationNote | None, zone: ZoneInfo) -> str:
    number = case_number(escalation.id)
    if event == Event.NOTE:
        return f":memo: Note by <@{note.added_by}>: {escape(note.text)}" if note else ":memo: A note (since removed)."
    if event == Event.OVERDUE:
        return (f":warning: {number} has waited {_hours(escalation)} working hours without a coordinator: it is "
                "overdue, and the backup coordinators have been told.")  # fmt: skip
    if event == Event.MEDIATION:
        return f":calendar: Mediation scheduled by <@{by}> for {when(escalation.mediation_at, zone)}."
    if event == Event.RESOLVED:
        outcome = OUTCOME_LABELS.get(escalation.outcome, "") if escalation.outcome else ""  # type: ignore[call-overload]
        return f":white_check_mark: Resolved by <@{by}>: {outcome}." + (
            f"\n{escape(escalation.summary)}" if escalation.summary else ""
        )
    return f"{number} {EVENT_WORDS.get(Event(event), event)} by <@{by}>."


def _hours(escalation: Escalation) -> int:
    return 8 if escalation.urgency == Urgency.URGENT else 48


def checklist(escalation: Escalation, *, done: dict[str, EscalationStep], zone: ZoneInfo) -> tuple[str, Blocks]:
    """A welfare concern's protocol, each step ticked with who and when (kept in place in the card's thread)."""
    number = case_number(escalation.id)
    blocks: list[Block] = [
        SectionBlock(text=f"*Welfare protocol for {number}* — tick each step as it is done.\n{WELFARE_911}")
    ]
    for step, label in STEP_LABELS.items():
        tick = done.get(step)
        if tick is not None:
            blocks.append(SectionBlock(
                block_id=f"step:{step}",
                text=f":white_check_mark: ~{label}~ — <@{tick.done_by}>, {when(tick.done_at, zone)}",
            ))  # fmt: skip
        else:
            # A button of its own block: Slack wants action ids unique within a block.
            blocks.append(SectionBlock(text=f":white_large_square: {label}"))
            blocks.append(ActionsBlock(block_id=f"step:{step}", elements=[
                ButtonElement(action_id=ids.ACTION_ESCALATION_STEP, text="Done", value=f"{escalation.id}:{step}")
            ]))  # fmt: skip
    text = f"Welfare protocol for {number}: {len(done)} of {len(STEP_LABELS)} steps done"
    return text, [b.to_dict() for b in blocks]


def read_step_value(value: str) -> tuple[int, Step]:
    """A step button's value, "<case id>:<step>"; UserError if it was tampered with."""
    case_part, _, step = value.partition(":")
    case_id = parse_row_id(case_part)
    if case_id is None or step not in set(Step):
        raise UserError("That button no longer works; please use the newest checklist.")
    return case_id, Step(step)


def shared_status(escalation: Escalation) -> str:
    """What a shared channel may see of a case: its number and its status, nothing else."""
    return f"Escalation {case_number(escalation.id)}: {STATUS_LABELS[Status(escalation.status)].split(':')[0]}."


# -- DMs ---------------------------------------------------------------------------------------------------------

NEXT_STEPS = (
    "A housing coordinator will acknowledge it within {remind} working hours and mediate between you. "
    "You will hear here at each step."
)


def party_dm(escalation: Escalation, *, property_name: str, event: str, by: str, zone: ZoneInfo) -> str:
    number = case_number(escalation.id)
    category = CATEGORY_LABELS[Category(escalation.category)]
    head = f"*{number}* · {category} · {escape(property_name)}"
    if event == Event.RAISED:
        remind = 4 if escalation.urgency == Urgency.URGENT else 24
        who = "You raised" if by == escalation.raised_by else f"<@{escalation.raised_by}> raised"
        text = (
            f"{head}\n{who} this issue with the housing coordinator, with you both as its parties. "
            + NEXT_STEPS.format(remind=remind)
        )
        if escalation.category == Category.WELFARE:
            text += f"\n{WELFARE_911}"
        return text
    if event == Event.ACKNOWLEDGED:
        return f"{head}\n<@{by}> (housing coordinator) has taken this case and will be in touch with you both."
    if event == Event.MEDIATION:
        return (
            f"{head}\nMediation is scheduled for *{when(escalation.mediation_at, zone)}* with <@{by}>. "
            "You will be reminded the working day before."
        )
    if event == Event.MEDIATION_TOMORROW:
        return f"{head}\nReminder: the mediation is on *{when(escalation.mediation_at, zone)}*."
    if event == Event.RESOLVED:
        outcome = OUTCOME_LABELS.get(escalation.outcome, "") if escalation.outcome else ""  # type: ignore[call-overload]
        summary = f"\n{escape(escalation.summary)}" if escalation.summary else ""
        return f"{head}\nResolved by <@{by}>: *{outcome}*.{summary}"
    if event == Event.REOPENED:
        return f"{head}\n<@{by}> has reopened this case; the coordinator will be in touch."
    return f"{head}\nThe case changed: {escape(str(event))}."


def coordinator_dm(escalation: Escalation, *, property_name: str, event: str, channel: str) -> str:
    number = case_number(escalation.id)
    category = CATEGORY_LABELS[Category(escalation.category)]
    where = f"<#{channel}>"
    urgent = "urgent " if escalation.urgency == Urgency.URGENT else ""
    if event == Event.WELFARE:
        return (f":rotating_light: *Welfare concern {number}* at {escape(property_name)}, raised by "
                f"<@{escalation.raised_by}>. Its protocol checklist is in the case's thread in {where}.")  # fmt: skip
    if event == Event.OVERDUE:
        hours = _hours(escalation)
        return (
            f":warning: {urgent.capitalize()}{number} ({category}, {escape(property_name)}) has waited {hours} "
            f"working hours and nobody has acknowledged it. You are a backup coordinator: please take it in {where}."
        )
    hours = 4 if escalation.urgency == Urgency.URGENT else 24
    return (f"Reminder: {urgent}{number} ({category}, {escape(property_name)}) has waited {hours} working hours "
            f"for a coordinator. Acknowledge it in {where}.")  # fmt: skip


# -- lists -------------------------------------------------------------------------------------------------------


def _line(line: Line, *, now: datetime, zone: ZoneInfo) -> str:
    flags = (":warning: *overdue* · " if line.overdue else "") + (
        ":red_circle: " if line.urgency == Urgency.URGENT else ""
    )
    deadline = f" · next deadline {when(line.next_deadline, zone)}" if line.next_deadline else ""
    return (f"{flags}*{case_number(line.id)}* · {CATEGORY_LABELS[line.category]} · {escape(line.property_name)} · "
            f"{STATUS_LABELS[line.status].split(':')[0]} · <@{line.raised_by}> ↔ <@{line.other_party}> · "
            f"{age(line.created_at, now)} old{deadline}")  # fmt: skip


def case_list(
    lines: list[Line], *, total: int, query: str, everyone: bool, now: datetime, zone: ZoneInfo
) -> tuple[str, Blocks]:
    """`/escalate list`, privately: open cases by next deadline."""
    whose = "Open cases" if everyone else "Your open cases"
    filtered = f" matching `{escape(query)}`" if query.strip() else ""
    if not lines:
        text = f"{whose}{filtered}: none."
        return text, [SectionBlock(text=text).to_dict()]
    head = f"*{whose}{filtered}*, by next deadline: {total}" + (
        f" (the first {len(lines)} shown)" if total > len(lines) else ""
    )
    blocks: list[Block] = [SectionBlock(text=head)]
    blocks += [SectionBlock(text=_line(line, now=now, zone=zone)) for line in lines]
    return f"{whose}{filtered}: {total}", [b.to_dict() for b in blocks]


def home_section(
    lines: list[Line], *, total: int, resolved: list[Line], everyone: bool, now: datetime, zone: ZoneInfo
) -> Blocks:
    """The Home tab's escalations: every open case for a coordinator, a party's own (and how the last ended)."""
    if not lines and not resolved and not everyone:
        return []
    title = "Open escalations, by next deadline" if everyone else "Your escalations"
    blocks: list[Block] = [DividerBlock(), SectionBlock(text=f"*{title}* ({total} open)")]
    blocks += [SectionBlock(text=_line(line, now=now, zone=zone)) for line in lines]
    if total > len(lines):
        blocks.append(
            ContextBlock(elements=[MarkdownTextObject(text=f"…and {total - len(lines)} more: `/escalate list`")])
        )
    if resolved:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(
            text="Resolved: " + ", ".join(f"{case_number(r.id)} ({escape(r.property_name)})" for r in resolved)
        )]))  # fmt: skip
    return [b.to_dict() for b in blocks]
