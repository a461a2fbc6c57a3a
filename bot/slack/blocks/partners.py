"""The partner network's messages and modals: the /partners list, the partner and contact forms, the monthly
nudge, the coverage report, an update for partners, its preview and its progress. Pure builders.

Partners' names are organisations', never residents'; an update for partners is shown in their shared channels,
so it went through the personal-data detector before anything here sees it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ChannelMultiSelectElement,
    CheckboxesElement,
    ContextBlock,
    DividerBlock,
    ExternalDataMultiSelectElement,
    ExternalDataSelectElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
    UserMultiSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.domain import partners as domain
from bot.errors import UserError
from bot.slack import ids
from bot.slack.payloads import parse_row_id
from bot.slack.text import escape, truncate

Blocks = list[dict[str, Any]]
MAX_OPTIONS = 100  # a static select's limit


def _when(heard: datetime | None, today: date, zone: Any) -> str:
    if heard is None:
        return "never heard from"
    day = heard.astimezone(zone).date()
    days = (today - day).days
    ago = "today" if days <= 0 else "yesterday" if days == 1 else f"{days} days ago"
    return f"last contact {day:%-d %b %Y} ({ago})"


def partners_list(
    lines: Sequence[domain.PartnerLine], *, total: int, today: date, zone: Any, coordinator: bool, page: int = 0,
    page_size: int = 30,
) -> tuple[str, Blocks]:  # fmt: skip
    """/partners: quietest first, each with its last contact and owner; buttons for what the viewer may do, and
    Previous / Next when there are more than a page (the same answer, replaced in place)."""
    text = f"Partners, quietest first ({total})"
    if total > page_size:
        text += f": {page * page_size + 1}-{page * page_size + len(lines)}"
    shown: list[Block] = [SectionBlock(text=f"*{text}*")]
    buttons = [ButtonElement(action_id=ids.ACTION_PARTNER_LOG, text="Log contact", value="0")]
    if coordinator:
        buttons += [ButtonElement(action_id=ids.ACTION_PARTNER_ADD, text="Add a partner", value="0"),
                    ButtonElement(action_id=ids.ACTION_PARTNER_NOTIFY, text="Tell partners…", value="0")]  # fmt: skip
    shown.append(ActionsBlock(block_id="partners_actions", elements=buttons))
    if not lines:
        shown.append(SectionBlock(text="No partners yet." + (" Add one with the button above." if coordinator else "")))
    for line in lines:
        owner = f"owned by <@{line.owner_id}>" if line.owner_id else "no owner (coordinators)"
        state = "" if line.active else " · _inactive_"
        body = (f"*{escape(truncate(line.name, 120))}* · {domain.kind_label(line.kind)}{state}\n"
                f"{_when(line.last_heard, today, zone)} · {owner}")  # fmt: skip
        accessory = (ButtonElement(action_id=ids.ACTION_PARTNER_EDIT, text="Edit", value=str(line.id))
                     if coordinator else None)  # fmt: skip
        shown.append(SectionBlock(block_id=f"partner:{line.id}", text=body, accessory=accessory))
    pages: list[ButtonElement] = []
    if page > 0:
        pages.append(ButtonElement(action_id=ids.ACTION_PARTNERS_PAGE, text="Previous", value=str(page - 1)))
    if (page + 1) * page_size < total:
        pages.append(ButtonElement(action_id=ids.ACTION_PARTNERS_PAGE, text="Next", value=str(page + 1)))
        shown.append(ContextBlock(elements=[MarkdownTextObject(
            text=f"…and {total - (page + 1) * page_size} more, less quiet.")]))  # fmt: skip
    if pages:
        shown.append(ActionsBlock(block_id=f"partners_page:{page}", elements=pages))
    return text, [b.to_dict() for b in shown]


def _modal(callback_id: str, title: str, submit: str, blocks: list[Block], meta: dict[str, Any]) -> dict[str, Any]:
    view = View(type="modal", callback_id=callback_id, title=title, submit=submit, close="Cancel",
                private_metadata=json.dumps(meta), blocks=blocks)  # fmt: skip
    view.validate_json()
    return view.to_dict()


def read_meta(raw: str | None, key: str) -> int:
    """A row id from a partner modal's private_metadata (0: none); a UserError if it was tampered with."""
    try:
        value = json.loads(raw or "{}").get(key, 0)
    except (ValueError, AttributeError, RecursionError) as exc:
        raise UserError("That form is out of date; please start again from /partners.") from exc
    if value == 0:
        return 0
    number = parse_row_id(value)
    if number is None:
        raise UserError("That form is out of date; please start again from /partners.")
    return number


def _kind_options() -> list[Option]:
    return [Option(value=str(k), text=label) for k, label in domain.KIND_LABELS.items()]


def partner_modal(current: Any | None, *, channels: Sequence[str]) -> dict[str, Any]:
    """Add a partner or edit one (prefilled)."""
    kinds = _kind_options()
    chosen = next((o for o in kinds if current is not None and o.value == current.kind), None)
    people = list(current.contact_users) if current else []
    blocks: list[Block] = [
        InputBlock(block_id="name", label="Organisation", element=PlainTextInputElement(
            action_id="name", max_length=domain.NAME_MAX, initial_value=current.name if current else None)),
        InputBlock(block_id="kind", label="Kind of organisation", element=StaticSelectElement(
            action_id="kind", options=kinds, initial_option=chosen)),
        InputBlock(block_id="team_id", label="Their Slack team id (Slack Connect)", optional=True,
                   element=PlainTextInputElement(action_id="team_id", max_length=32, placeholder="T0123ABCD",
                                                 initial_value=(current.slack_team_id if current else None) or None)),
        InputBlock(block_id="channels", label="Channels shared with them", optional=True,
                   element=ChannelMultiSelectElement(action_id="channels", initial_channels=list(channels) or None)),
        InputBlock(block_id="contact_users", label="Their people", optional=True,
                   hint="Their staff we talk to in Slack (from any workspace).",
                   element=UserMultiSelectElement(action_id="contact_users", initial_users=people or None)),
        InputBlock(block_id="owner_id", label="Owner on our side", optional=True,
                   hint="Nudged monthly when the partner has gone quiet; nobody: the coordinators are.",
                   element=UserSelectElement(action_id="owner_id",
                                             initial_user=(current.owner_id if current else None) or None)),
    ]  # fmt: skip
    inactive = Option(value="inactive", text="Inactive: we no longer work with them")
    blocks.append(InputBlock(block_id="active", label="Status", optional=True, element=CheckboxesElement(
        action_id="active", options=[inactive],
        initial_options=[inactive] if current is not None and not current.active else None)))  # fmt: skip
    meta = {"partner_id": current.id if current else 0}
    return _modal(ids.VIEW_PARTNER, "Edit partner" if current else "Add a partner", "Save", blocks, meta)


def _partner_options(partners: Sequence[tuple[int, str]]) -> list[Option]:
    return [Option(value=str(pid), text=truncate(name, 75)) for pid, name in partners[:MAX_OPTIONS]]


def partner_options(partners: Sequence[tuple[int, str]]) -> list[dict[str, Any]]:
    """An external select's answer: the partners whose name matches what was typed (at most 100)."""
    return [o.to_dict() for o in _partner_options(partners)]


def _searchable(partners: Sequence[tuple[int, str]]) -> bool:
    """More partners than a static select holds: the picker asks as people type (an external select)."""
    return len(partners) > MAX_OPTIONS


def touch_modal(partners: Sequence[tuple[int, str]], *, chosen: int | None = None) -> dict[str, Any]:
    """*Log contact*: which partner, how, and an optional note (checked for personal data). `partners`: the
    active ones, or the first MAX_OPTIONS + 1 (more than a static select holds: the picker searches instead)."""
    options = _partner_options(partners)
    initial = next((o for o in options if o.value == str(chosen)), None)
    kinds = [Option(value=str(k), text=label) for k, label in domain.TOUCH_LABELS.items()]
    picker: Any = StaticSelectElement(action_id="partner", options=options, initial_option=initial)
    if _searchable(partners):
        picker = ExternalDataSelectElement(action_id=ids.OPTIONS_PARTNER_PICK, min_query_length=1,
                                           placeholder="Type part of the name", initial_option=initial)  # fmt: skip
    blocks: list[Block] = [
        InputBlock(block_id="partner", label="Partner", element=picker),
        InputBlock(block_id="kind", label="How", element=RadioButtonsElement(
            action_id="kind", options=kinds, initial_option=kinds[0])),
        InputBlock(block_id="note", label="Note", optional=True,
                   hint="Never a resident's name or details.",
                   element=PlainTextInputElement(action_id="note", multiline=True, max_length=domain.NOTE_MAX)),
    ]  # fmt: skip
    return _modal(ids.VIEW_PARTNER_TOUCH, "Log contact", "Log it", blocks, {})


def notify_modal(partners: Sequence[tuple[int, str]]) -> dict[str, Any]:
    """/partners notify: the update, and who to tell."""
    modes = [Option(value=str(domain.Audience.ALL), text="All active partners"),
             Option(value=str(domain.Audience.KIND), text="One kind of partner"),
             Option(value=str(domain.Audience.CHOSEN), text="The partners I choose")]  # fmt: skip
    blocks: list[Block] = [
        InputBlock(block_id="text", label="The update", hint="Shown in each partner's shared channel: never a "
                   "resident's name or details.", element=PlainTextInputElement(
                       action_id="text", multiline=True, max_length=domain.BROADCAST_MAX)),
        InputBlock(block_id="audience", label="Tell", element=RadioButtonsElement(
            action_id="audience", options=modes, initial_option=modes[0])),
        InputBlock(block_id="kind", label="Kind (for one kind)", optional=True, element=StaticSelectElement(
            action_id="kind", options=_kind_options())),
    ]  # fmt: skip
    if _searchable(partners):
        blocks.append(InputBlock(block_id="partners", label="Partners (for those I choose)", optional=True,
                                 element=ExternalDataMultiSelectElement(
                                     action_id=ids.OPTIONS_PARTNER_PICK_MANY, min_query_length=1,
                                     placeholder="Type part of a name")))  # fmt: skip
    elif partners:
        blocks.append(InputBlock(block_id="partners", label="Partners (for those I choose)", optional=True,
                                 element=StaticMultiSelectElement(action_id="partners",
                                                                  options=_partner_options(partners))))  # fmt: skip
    return _modal(ids.VIEW_PARTNER_NOTIFY, "Tell partners", "Preview", blocks, {})


def notify_preview(broadcast_id: int, *, text: str, partners: int, channels: int) -> dict[str, Any]:
    """The preview: exactly what each channel will see, and how many partners and channels."""
    blocks: list[Block] = [
        SectionBlock(text=f"This goes to *{partners}* partner{'s' * (partners != 1)} in *{channels}* shared "
                     f"channel{'s' * (channels != 1)}:"),
        *broadcast_blocks(text),
    ]  # fmt: skip
    return _modal(ids.VIEW_PARTNER_NOTIFY_CONFIRM, "Tell partners", "Send", blocks, {"broadcast_id": broadcast_id})


def broadcast_blocks(text: str) -> list[Block]:
    return [SectionBlock(text=f":loudspeaker: *An update from the housing team*\n{escape(text)}")]


def broadcast_message(text: str) -> tuple[str, Blocks]:
    return f"An update from the housing team: {truncate(text, 200)}", [b.to_dict() for b in broadcast_blocks(text)]


def progress_message(progress: domain.Progress, *, channels: int) -> tuple[str, Blocks]:
    """The coordinator's view of an update going out, edited in place as each post lands or fails."""
    done = progress.pending == 0
    head = "Your update has gone out" if done else "Your update is going out"
    text = (f"{head}: {progress.delivered} of {channels} delivered, {progress.pending} pending, "
            f"{len(progress.failed)} failed")  # fmt: skip
    lines = [f"*{head}*", f"Delivered: {progress.delivered} of {channels} · Pending: {progress.pending} · "
             f"Failed: {len(progress.failed)}"]  # fmt: skip
    for channel, reason in progress.failed[:20]:
        lines.append(f"• <#{channel}>: failed ({escape(reason)})")
    if len(progress.failed) > 20:
        lines.append(f"…and {len(progress.failed) - 20} more failures")
    return text, [SectionBlock(text="\n".join(lines)).to_dict()]


def nudge_value(partner_id: int, month: str) -> str:
    return f"{partner_id}:{month}"


def read_nudge_value(value: str) -> tuple[int, str]:
    """(partner id, month) from a nudge button; a UserError if it was tampered with."""
    pid, _, month = value.partition(":")
    number = parse_row_id(pid)
    try:  # "2026-12" as month_of writes it: int() alone would take "2026-+1" or "2026- 1" as a month
        valid = domain.month_of(domain.first_of(month)) == month
    except ValueError:
        valid = False
    if number is None or not valid:
        raise UserError("That button no longer works; use the newest nudge.")
    return number, month


def nudge_dm(partners: Sequence[tuple[int, str, datetime | None]], *, month: str, zone: Any, today: date
             ) -> tuple[str, Blocks]:  # fmt: skip
    """The monthly nudge: the owner's partners not heard from this month, each with its three buttons."""
    label = f"{date.fromisoformat(month + '-01'):%B}"
    text = f"{len(partners)} of your partners have not heard from us in {label}"
    shown: list[Block] = [SectionBlock(text=f"*{text}.* Programs keep in touch with every partner monthly, "
                                       "whether or not there is news.")]  # fmt: skip
    for pid, name, heard in partners[:15]:
        shown.append(SectionBlock(block_id=f"nudge:{pid}", text=f"*{escape(name)}* · {_when(heard, today, zone)}"))
        value = nudge_value(pid, month)
        shown.append(ActionsBlock(block_id=f"nudge_actions:{pid}", elements=[
            ButtonElement(action_id=ids.ACTION_NUDGE_LOGGED, text="Logged a call", value=value, style="primary"),
            ButtonElement(action_id=ids.ACTION_NUDGE_SNOOZE, text="Snooze a week", value=value),
            ButtonElement(action_id=ids.ACTION_NUDGE_NOT_NEEDED, text="Not needed this month", value=value),
        ]))  # fmt: skip
    if len(partners) > 15:
        shown.append(ContextBlock(elements=[MarkdownTextObject(
            text=f"…and {len(partners) - 15} more: see /partners.")]))  # fmt: skip
    return text, [b.to_dict() for b in shown]


def _pct(share: domain.Share) -> str:
    return "—" if share.percent is None else f"{share.percent}% ({share.contacted}/{share.total})"


def coverage_dm(report: domain.Coverage, *, names: dict[int, str]) -> str:
    """Last month's coverage for the coordinators: overall and by kind, beside the three months before; the
    longest silences by organisation."""
    month = f"{domain.first_of(report.month):%B %Y}"
    before = ", ".join(f"{domain.first_of(domain.shift(report.month, n - 3)):%b}: {_pct(s)}"
                       for n, s in enumerate(report.before))  # fmt: skip
    lines = [f"*Partner coverage for {month}*", f"Partners contacted: {_pct(report.overall)} (before: {before})"]
    for kind, (share, earlier) in report.by_kind.items():
        lines.append(f"• {domain.kind_label(kind)}: {_pct(share)} (before: {', '.join(_pct(s) for s in earlier)})")
    if report.silences:
        lines.append("*Longest silences*")
        for pid, day in report.silences:
            since = f"since {day:%-d %b %Y}" if day else "never heard from"
            lines.append(f"• {escape(names.get(pid, f'partner #{pid}'))}: {since}")
    return "\n".join(lines)


def home_section(lines: Sequence[domain.PartnerLine], *, total: int, today: date, zone: Any, everyone: bool) -> Blocks:
    """The Home tab's quiet partners: not heard from this month, quietest first, with their last contact."""
    month = f"{today:%B}"
    title = "Partners not heard from in " + month if everyone else "Your partners not heard from in " + month
    shown: list[Block] = [DividerBlock(), SectionBlock(text=f"*{title}* ({total})")]
    if not lines:
        shown.append(SectionBlock(text="Every partner has been in touch this month."))
    for line in lines:
        owner = "" if not everyone else f" · owned by <@{line.owner_id}>" if line.owner_id else " · no owner"
        shown.append(SectionBlock(text=f"*{escape(truncate(line.name, 120))}* · {domain.kind_label(line.kind)}\n"
                                  f"{_when(line.last_heard, today, zone)}{owner}"))  # fmt: skip
    if total > len(lines):
        shown.append(ContextBlock(elements=[MarkdownTextObject(text=f"…and {total - len(lines)} more: `/partners`")]))
    return [b.to_dict() for b in shown]
