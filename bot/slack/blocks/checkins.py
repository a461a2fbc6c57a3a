"""Check-ins: the agenda (and its summary) kept in place, its notes thread, the day-before reminder, the forms,
`/checkin`'s answer, and the agenda as plain text for the terminal. Pure builders: values in, Slack dicts out.

An agenda goes to a channel shared with the property's company: lines carry units, client reference codes and
case numbers only, and the notes (checked for personal data when typed) go in the thread.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ChannelSelectElement,
    ContextBlock,
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

from bot.domain import checkins
from bot.domain.checkins import AgendaStatus, AgendaView, Line, Outcome
from bot.domain.schedule import HolidayRule
from bot.slack import ids
from bot.slack.blocks.forms import RowMeta
from bot.slack.text import escape, truncate
from storage.models import Meeting

MAX_BLOCKS = 50  # Slack's limit for a message
FIXED_BLOCKS = 4  # header, when, the Add button, the footer
ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
         "America/Anchorage", "Pacific/Honolulu")  # fmt: skip
DERIVED_WORDS = {
    "moved_in": "moved in",
    "listed": "listed as vacant (a move-out)",
    "filled": "filled",
    "withdrawn": "withdrawn from the board",
}
FOOTER = "This channel is shared: units and reference codes only, never a resident's name or details."


def when(at: datetime, zone: ZoneInfo) -> str:
    local = at.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M} {local.tzname()}"


def _ordinal_times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")


def line_text(number: int | None, line: Line) -> str:
    """One agenda line: units, codes, numbers and people's mentions only."""
    if line.derived == "escalation":
        return f"Open escalation {escape(line.ref)}"
    if line.derived:
        unit = f"Unit {escape(line.unit)}" if line.unit else "A unit"
        return f"{unit} {DERIVED_WORDS.get(line.derived, line.derived)} ({escape(line.ref)})"
    parts = [f"*{number}.*" if number is not None else "•"]
    parts.append(f"Unit {escape(line.unit)}" if line.unit else "No unit")
    if line.client_code:
        parts.append(f"`{escape(line.client_code)}`")
    age = "new this week" if line.weeks == 0 else f"{line.weeks} week{'s' if line.weeks != 1 else ''} old"
    if line.carried:
        age += f", carried over {_ordinal_times(line.carried)}"
    parts.append(f"raised by <@{line.raised_by}> · {age}")
    text = " · ".join(parts[:1]) + " " + " · ".join(parts[1:])
    if line.outcome != Outcome.PENDING:
        by = f" by <@{line.outcome_by}>" if line.outcome_by else ""
        text += f" — _{checkins.OUTCOME_WORDS[line.outcome]}{by}_"
    return text


def _numbered(view: AgendaView) -> dict[int, int]:
    """Item id -> its number on the agenda: a posted agenda's entry places (so the notes thread's numbers hold
    when a late item joins it), else 1, 2, ... in section order."""
    numbers: dict[int, int] = {}
    for _, lines in view.sections:
        for line in lines:
            if line.item_id is not None:
                numbers[line.item_id] = line.number if line.number is not None else len(numbers) + 1
    return numbers


def agenda_message(view: AgendaView) -> tuple[str, list[dict[str, Any]]]:
    """The agenda (while it is being taken) or its summary (once the meeting is over), for its kept message."""
    if view.status == AgendaStatus.SUMMARISED:
        return summary_message(view)
    title = f"Check-in agenda: {view.name}"
    numbers = _numbered(view)
    shown: list[Block] = [
        HeaderBlock(text=truncate(title, 150)),
        ContextBlock(elements=[MarkdownTextObject(text=f"{when(view.held_at, view.zone)} · notes in the thread")]),
    ]
    budget = MAX_BLOCKS - FIXED_BLOCKS - len(view.sections)
    unbuttoned = 0
    for section, lines in view.sections:
        items = [line for line in lines if line.item_id is not None]
        derived = [line for line in lines if line.item_id is None]
        text = [f"*{escape(checkins.SECTION_LABELS[section])}*"]
        text += [f"• {line_text(None, line)}" for line in derived]
        buttoned = []
        for line in items:
            if budget >= 2 and line.entry_id is not None:
                buttoned.append(line)
                budget -= 2
            else:
                text.append(line_text(numbers[line.item_id or 0], line))
                unbuttoned += 1
        if not lines:
            text.append("_Nothing this week._")
        shown.append(SectionBlock(text=truncate("\n".join(text), 3000)))
        for line in buttoned:
            shown.append(SectionBlock(text=truncate(line_text(numbers[line.item_id or 0], line), 3000)))
            shown.append(_item_buttons(line))
    footer = FOOTER
    if unbuttoned:
        footer = f"{unbuttoned} more items than fit buttons: they carry over unless closed. " + footer
    shown.append(ActionsBlock(block_id=f"agenda:{view.meeting_id}", elements=[_add_button(view.meeting_id)]))
    shown.append(ContextBlock(elements=[MarkdownTextObject(text=footer)]))
    return f"{title} ({when(view.held_at, view.zone)})", [b.to_dict() for b in shown]


def _item_buttons(line: Line) -> ActionsBlock:
    value = str(line.entry_id)
    buttons = []
    if line.outcome != Outcome.CLOSED:
        buttons = [
            ButtonElement(action_id=ids.ACTION_CHECKIN_DISCUSSED, text="Discussed", value=value),
            ButtonElement(action_id=ids.ACTION_CHECKIN_CARRY, text="Carry over", value=value),
            ButtonElement(action_id=ids.ACTION_CHECKIN_CLOSE, text="Close", value=value, style="danger"),
        ]
    else:
        buttons = [ButtonElement(action_id=ids.ACTION_CHECKIN_DISCUSSED, text="Closed", value=value)]
    return ActionsBlock(block_id=f"entry:{line.entry_id}", elements=buttons)


def _add_button(meeting_id: int) -> ButtonElement:
    return ButtonElement(action_id=ids.ACTION_CHECKIN_ADD, text="Add to check-in", value=str(meeting_id))


def summary_message(view: AgendaView) -> tuple[str, list[dict[str, Any]]]:
    """The meeting's summary, edited over its agenda: what was closed, discussed and carried over."""
    title = f"Check-in summary: {view.name}"
    numbers = _numbered(view)
    shown: list[Block] = [
        HeaderBlock(text=truncate(title, 150)),
        ContextBlock(elements=[MarkdownTextObject(text=f"Held {when(view.held_at, view.zone)}")]),
    ]
    carried = 0
    for section, lines in view.sections:
        text = [f"*{escape(checkins.SECTION_LABELS[section])}*"]
        for line in lines:
            number = numbers.get(line.item_id) if line.item_id is not None else None
            text.append(line_text(number, line) if line.item_id is not None else f"• {line_text(None, line)}")
            carried += line.item_id is not None and line.outcome != Outcome.CLOSED
        if not lines:
            text.append("_Nothing this week._")
        shown.append(SectionBlock(text=truncate("\n".join(text), 3000)))
    after = f" to {when(view.next_at, view.zone)}" if view.next_at else ""
    shown.append(ContextBlock(elements=[MarkdownTextObject(
        text=f"{carried} open item{'s' if carried != 1 else ''} carried over{after}. {FOOTER}")]))  # fmt: skip
    shown.append(ActionsBlock(block_id=f"agenda:{view.meeting_id}", elements=[_add_button(view.meeting_id)]))
    return f"{title} ({when(view.held_at, view.zone)})", [b.to_dict() for b in shown]


def notes_message(view: AgendaView) -> str:
    """The items' notes, in the agenda's thread (they passed the personal-data check when they were typed)."""
    lines = [f"*{n}.* {escape(note)}" for n, note in view.notes]
    return truncate("Notes on this week's items:\n" + "\n".join(lines), 3900)


def day_before_message(
    name: str, held_at: datetime, zone: ZoneInfo, *, people: list[str], meeting_id: int
) -> tuple[str, list[dict[str, Any]]]:
    mentions = " ".join(f"<@{p}>" for p in people)
    text = (f"{mentions + ' ' if mentions else ''}The {escape(name)} check-in is {when(held_at, zone)}. "
            "Add what you want to raise before then.")  # fmt: skip
    shown = [SectionBlock(text=text), ActionsBlock(block_id=f"remind:{meeting_id}", elements=[_add_button(meeting_id)])]
    return text, [b.to_dict() for b in shown]


def item_added(name: str, held_at: datetime | None, zone: ZoneInfo, item_id: int, *, live: int | None = None) -> str:
    """`live`: the item's number on the agenda being taken now, when it joined it."""
    if live is not None:
        return (f"Added item I-{item_id} to the {name} check-in being held now: it is number {live} on its agenda. "
                "It stays on the agenda until someone closes it.")  # fmt: skip
    at = f" on {when(held_at, zone)}" if held_at else ""
    return f"Added item I-{item_id} to the {name} check-in{at}. It stays on the agenda until someone closes it."


def late_note_message(number: int, note: str) -> str:
    """A late item's note, in the live agenda's thread."""
    return truncate(f"Added during the meeting:\n*{number}.* {escape(note)}", 3900)


def upcoming_message(view: AgendaView) -> tuple[str, list[dict[str, Any]]]:
    """`/checkin NAME`: the next meeting and what is on it, privately."""
    title = f"Next {view.name} check-in: {when(view.held_at, view.zone)}"
    numbers = _numbered(view)
    shown: list[Block] = [SectionBlock(text=f"*{escape(title)}*")]
    for section, lines in view.sections:
        text = [f"*{escape(checkins.SECTION_LABELS[section])}*"]
        for line in lines:
            number = numbers.get(line.item_id) if line.item_id is not None else None
            text.append(line_text(number, line) if line.item_id is not None else f"• {line_text(None, line)}")
        if not lines:
            text.append("_Nothing yet._")
        shown.append(SectionBlock(text=truncate("\n".join(text), 3000)))
    shown.append(ActionsBlock(block_id=f"agenda:{view.meeting_id}", elements=[_add_button(view.meeting_id)]))
    return title, [b.to_dict() for b in shown[:MAX_BLOCKS]]


def meetings_list(meetings: list[tuple[str, datetime | None, ZoneInfo]]) -> str:
    if not meetings:
        return "You are not in any check-in yet. A housing coordinator sets them up in the property form."
    lines = [f"• *{escape(name)}*: {when(at, zone) if at else 'not scheduled'}" for name, at, zone in meetings]
    return "Your check-ins (`/checkin NAME` shows one's agenda, `/checkin add NAME` adds an item):\n" + "\n".join(lines)


HELP = (
    "`/checkin` lists your check-ins; `/checkin NAME` shows the next agenda; `/checkin add NAME` adds an item "
    "(section, unit, client reference code, note: never a name). Coordinators set a property's check-in in its "
    "form (`/vacancy property NAME`) and other meetings with `/checkin meeting NAME`."
)


# -- forms ----------------------------------------------------------------------------------------------------


def item_modal(meeting: Meeting, *, channel: str | None) -> dict[str, Any]:
    """Add an item to the meeting's next agenda. `channel` is where the person is told it was added."""
    sections = checkins.SECTIONS[checkins.MeetingKind(meeting.kind)]
    blocks: list[Block] = [
        SectionBlock(
            text=f"For the *{escape(meeting.name)}* check-in. Units and reference codes only: this agenda "
            "is posted in a channel the property's company shares."
        ),
        InputBlock(
            block_id="section",
            label="Section",
            element=StaticSelectElement(
                action_id="section",
                placeholder="Choose a section",
                options=[Option(value=str(s), text=checkins.SECTION_LABELS[s]) for s in sections],
            ),
        ),
        InputBlock(
            block_id="unit", label="Unit", optional=True, element=PlainTextInputElement(action_id="unit", max_length=30)
        ),
        InputBlock(
            block_id="client_code",
            label="Client reference code",
            optional=True,
            hint="The agency's code, never a name.",
            element=PlainTextInputElement(action_id="client_code", max_length=24),
        ),
        InputBlock(
            block_id="note",
            label="What to raise",
            hint="No names or personal details.",
            element=PlainTextInputElement(action_id="note", multiline=True, max_length=checkins.NOTE_LIMIT),
        ),
    ]
    meta = ItemMeta(meeting.id, channel)
    view = View(type="modal", callback_id=ids.VIEW_CHECKIN_ITEM, title="Add to check-in", submit="Add",
                close="Cancel", private_metadata=meta.dump(), blocks=blocks)  # fmt: skip
    view.validate_json()
    return view.to_dict()


@dataclass(frozen=True)
class ItemMeta:
    """private_metadata of the item form: the meeting, and the channel where the person is told it was added."""

    row_id: int
    channel: str | None = None

    def dump(self) -> str:
        return json.dumps({"row_id": self.row_id, "channel": self.channel})

    @classmethod
    def load(cls, raw: str | None) -> ItemMeta:
        row = RowMeta.load(raw)  # the meeting id is read (and refused) as every form's row id is
        channel = json.loads(raw or "{}").get("channel")
        ok = isinstance(channel, str) and channel[:1] in ("C", "G", "D") and channel.isalnum() and len(channel) < 32
        return cls(row.row_id, channel if ok else None)


def setup_inputs(meeting: Meeting | None, *, default_zone: str, channel_label: str) -> list[dict[str, Any]]:
    """The meeting's inputs (day, time, zone, every N weeks, holidays, members, channel), prefilled from
    `meeting`; appended to the property form, and the whole of the meeting form with a name."""
    zones = list(dict.fromkeys([default_zone, *ZONES]))
    zone = meeting.zone if meeting else default_zone
    if zone not in zones:
        zones.append(zone)
    day_options = [Option(value=str(n), text=name) for n, name in enumerate(checkins.WEEKDAYS)]
    every_options = [Option(value=str(n), text="Every week" if n == 1 else f"Every {n} weeks") for n in (1, 2, 3, 4)]
    holiday_options = [
        Option(value=str(HolidayRule.NEXT_BUSINESS_DAY), text="Move to the next business day"),
        Option(value=str(HolidayRule.SKIP), text="Skip that week"),
    ]
    active = meeting is not None and meeting.active

    def chosen(options: list[Option], value: str | None) -> Option | None:
        return next((o for o in options if o.value == value), None)

    blocks: list[Block] = [
        InputBlock(
            block_id="checkin_day",
            label="Check-in day",
            optional=True,
            hint="Leave empty for no check-in.",
            element=StaticSelectElement(
                action_id="checkin_day",
                placeholder="No check-in",
                options=day_options,
                initial_option=chosen(day_options, str(meeting.weekday)) if active and meeting else None,
            ),
        ),
        InputBlock(
            block_id="checkin_time",
            label="Check-in time (HH:MM, 24-hour)",
            optional=True,
            element=PlainTextInputElement(
                action_id="checkin_time",
                max_length=5,
                placeholder="10:00",
                initial_value=meeting.at if meeting else None,
            ),
        ),
        InputBlock(
            block_id="checkin_zone",
            label="Time zone",
            optional=True,
            element=StaticSelectElement(
                action_id="checkin_zone",
                options=[Option(value=z, text=z) for z in zones],
                initial_option=Option(value=zone, text=zone),
            ),
        ),
        InputBlock(
            block_id="checkin_every",
            label="How often",
            optional=True,
            element=StaticSelectElement(
                action_id="checkin_every",
                options=every_options,
                initial_option=chosen(every_options, str(meeting.every_weeks if meeting else 1)),
            ),
        ),
        InputBlock(
            block_id="checkin_holidays",
            label="On a public holiday",
            optional=True,
            element=RadioButtonsElement(
                action_id="checkin_holidays",
                options=holiday_options,
                initial_option=chosen(
                    holiday_options, meeting.holiday_rule if meeting else str(HolidayRule.NEXT_BUSINESS_DAY)
                ),
            ),
        ),
        InputBlock(
            block_id="checkin_members",
            label="Resident services coordinators" if channel_label else "Members",
            optional=True,
            hint="Ours or a partner agency's: they are reminded the day before.",
            element=UserMultiSelectElement(
                action_id="checkin_members", initial_users=(meeting.members or None) if meeting else None
            ),
        ),
        InputBlock(
            block_id="checkin_channel",
            label=channel_label or "Channel for the agenda",
            optional=bool(channel_label),
            element=ChannelSelectElement(
                action_id="checkin_channel", initial_channel=meeting.channel if meeting else None
            ),
        ),
    ]
    return [b.to_dict() for b in blocks]


def meeting_modal(meeting: Meeting | None, *, name: str, default_zone: str) -> dict[str, Any]:
    """Set up a meeting that is not a property's: the case consultation, with its own channel and members."""
    blocks: list[Any] = [
        InputBlock(
            block_id="meeting_name",
            label="Meeting",
            element=PlainTextInputElement(
                action_id="meeting_name",
                max_length=100,
                initial_value=(meeting.name if meeting else name) or None,
                placeholder="Complex case consultation",
            ),
        ).to_dict(),
        *setup_inputs(meeting, default_zone=default_zone, channel_label=""),
    ]
    blocks[1]["optional"] = False  # a meeting of its own needs a day
    view = View(type="modal", callback_id=ids.VIEW_MEETING, title="Recurring meeting", submit="Save",
                close="Cancel", private_metadata=RowMeta(meeting.id if meeting else 0).dump(),
                blocks=blocks)  # fmt: skip
    view.validate_json()
    return view.to_dict()


# -- the terminal -------------------------------------------------------------------------------------------------


def agenda_text(view: AgendaView) -> str:
    """`porchlight agenda preview`: the next agenda as it would be posted, in plain text."""
    numbers = _numbered(view)
    out = [f"{view.name} check-in, {when(view.held_at, view.zone)}", ""]
    for section, lines in view.sections:
        out.append(checkins.SECTION_LABELS[section])
        for line in lines:
            number = numbers.get(line.item_id) if line.item_id is not None else None
            text = line_text(number, line) if line.item_id is not None else f"• {line_text(None, line)}"
            out.append("  " + text.replace("*", "").replace("`", "").replace("&lt;", "<").replace("&gt;", ">")
                       .replace("&amp;", "&"))  # fmt: skip
        if not lines:
            out.append("  nothing this week")
    if view.notes:
        out += ["", "Notes (posted in the agenda's thread):"]
        out += [f"  {n}. {note}" for n, note in view.notes]
    return "\n".join(out)


def home_section(lines: Sequence[checkins.HomeLine], *, total: int, everyone: bool) -> list[dict[str, Any]]:
    """The Home tab's check-ins: each of the viewer's meetings, soonest first, with its open items."""
    if not lines:
        return []
    title = "Check-ins, soonest first" if everyone else "Your check-ins"
    shown: list[Block] = [DividerBlock(), SectionBlock(text=f"*{title}* ({total})")]
    for line in lines:
        at = when(line.next_at, line.zone) if line.next_at else "not scheduled"
        items = f"{line.open_items} open item{'s' if line.open_items != 1 else ''}"
        shown.append(SectionBlock(text=f"*{escape(truncate(line.name, 100))}* · next {at} · {items}"))
    if total > len(lines):
        shown.append(ContextBlock(elements=[MarkdownTextObject(text=f"…and {total - len(lines)} more: `/checkin`")]))
    return [b.to_dict() for b in shown]
