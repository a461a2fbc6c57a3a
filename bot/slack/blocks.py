"""Pure Block Kit builders: plain values in, Slack payload dicts out. They never query the database."""

from __future__ import annotations

import functools
import json
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ChannelSelectElement,
    CheckboxesElement,
    ConfirmObject,
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
    StaticMultiSelectElement,
    StaticSelectElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.home import HomeView
from bot.domain.referrals import DENIAL_REASONS
from bot.domain.vacancies import ACCESSIBILITY, LIMITS, SCREENING, SUBSIDIES, VacancyFacts
from bot.errors import UserError
from bot.slack import ids
from bot.slack.text import bedrooms, day, escape, money, truncate
from storage.models import Partner, Property, Referral, Vacancy

STATUS_LABELS = {
    "open": "Open",
    "referral_pending": "Open · referral pending",
    "filled": "Filled",
    "withdrawn": "Withdrawn",
    "expired": "Expired",
}


@dataclass(frozen=True)
class VacancyModalMeta:
    """What the vacancy modal carries in private_metadata: where to send the confirmation."""

    channel: str | None = None

    def dump(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def load(cls, raw: str | None) -> VacancyModalMeta:
        try:
            data = json.loads(raw or "{}")
        except ValueError:
            return cls()
        channel = data.get("channel") if isinstance(data, dict) else None
        return cls(channel=channel if isinstance(channel, str) else None)


def _options(labels: dict[str, str]) -> list[Option]:
    return [Option(value=code, text=label) for code, label in labels.items()]


MAX_LENGTHS = {**LIMITS, "client_code": 24, "household_size": 2, "note": 500}


def _text(block_id: str, label: str, *, hint: str | None = None, optional: bool = False, **element: Any) -> Block:
    return InputBlock(
        block_id=block_id,
        label=label,
        hint=hint,
        optional=optional,
        element=PlainTextInputElement(action_id=block_id, max_length=MAX_LENGTHS.get(block_id), **element),
    )


Listed = tuple[tuple[int, str], ...]  # (property id, name)


def vacancy_modal(meta: VacancyModalMeta, *, today: date, properties: Listed = ()) -> dict[str, Any]:
    """The modal a case manager fills to log a vacancy; `properties` are (id, name) of listed properties."""
    return {**_vacancy_modal_for(today, properties), "private_metadata": meta.dump()}


MAX_PROPERTY_OPTIONS = 100  # a static_select's limit


@functools.lru_cache(maxsize=8)
def _vacancy_modal_for(today: date, properties: Listed) -> dict[str, Any]:
    # Built and validated once per day and property list: slack_sdk's models take milliseconds.
    choices = [Option(value=str(pid), text=truncate(name, 75)) for pid, name in properties[:MAX_PROPERTY_OPTIONS]]
    pick: list[Block] = []
    if choices:
        pick.append(
            InputBlock(
                block_id="property_id",
                label="Property",
                optional=True,
                hint="Listed properties have managers who keep their listings true.",
                element=StaticSelectElement(action_id="property_id", placeholder="Choose a property", options=choices),
            )
        )
    other = "…or a property not in the list" if choices else "Property"
    blocks: list[Block] = [
        SectionBlock(text="Unit facts only: *no resident names or personal details* — this card is shared."),
        *pick,
        _text("property_name", other, optional=bool(choices), placeholder="e.g. 41 Elm St (landlord: J. Ortiz)"),
        _text("unit", "Unit", placeholder="e.g. 12B"),
        _text("bedrooms", "Bedrooms", hint="0 for a studio", placeholder="e.g. 2"),
        _text("rent", "Monthly rent", placeholder="e.g. 1,250"),
        InputBlock(
            block_id="available_on",
            label="Available from",
            element=DatePickerElement(action_id="available_on", initial_date=today.isoformat()),
        ),
        InputBlock(
            block_id="subsidies",
            label="Subsidies / vouchers accepted",
            optional=True,
            element=StaticMultiSelectElement(
                action_id="subsidies", placeholder="Choose all that apply", options=_options(SUBSIDIES)
            ),
        ),
        InputBlock(
            block_id="accessibility",
            label="Accessibility features",
            optional=True,
            element=CheckboxesElement(action_id="accessibility", options=_options(ACCESSIBILITY)),
        ),
        InputBlock(
            block_id="screening",
            label="Screening applied",
            optional=True,
            element=CheckboxesElement(action_id="screening", options=_options(SCREENING)),
        ),
        _text("screening_notes", "Screening notes", optional=True, placeholder="e.g. 2x rent income; no evictions"),
        _text("contact", "Leasing contact", placeholder="Leasing office phone or email"),
        _text("notes", "Notes", optional=True, multiline=True, hint="About the unit, not about any resident."),
    ]
    view = View(
        type="modal",
        callback_id=ids.VIEW_VACANCY_NEW,
        title="Log a vacancy",
        submit="Post vacancy",
        close="Cancel",
        blocks=blocks,
    )
    view.validate_json()
    return view.to_dict()


def _labels(codes: list[str], labels: dict[str, str], empty: str) -> str:
    return ", ".join(labels.get(code, code) for code in codes) or empty


def vacancy_card(vacancy: Vacancy) -> tuple[str, list[dict[str, Any]]]:
    """The card shown in the vacancies channel: unit facts only. Returns (notification text, blocks)."""
    title = f"{bedrooms(vacancy.bedrooms)} · {vacancy.property_name} #{vacancy.unit}"
    status = STATUS_LABELS.get(vacancy.status, vacancy.status.title())
    fields = [
        f"*Rent*\n{money(vacancy.rent_cents)}/month",
        f"*Available*\n{day(vacancy.available_on)}",
        f"*Subsidies accepted*\n{_labels(vacancy.subsidies, SUBSIDIES, 'None listed')}",
        f"*Accessibility*\n{_labels(vacancy.accessibility, ACCESSIBILITY, 'None listed')}",
        f"*Screening*\n{_labels(vacancy.screening, SCREENING, 'None listed')}",
        f"*Contact*\n{escape(vacancy.contact)}",
    ]
    blocks: list[Block] = [
        HeaderBlock(text=truncate(title, 150)),
        SectionBlock(fields=[MarkdownTextObject(text=f) for f in fields]),
    ]
    extra = [f"*Screening notes:* {escape(vacancy.screening_notes)}"] if vacancy.screening_notes else []
    extra += [f"*Notes:* {escape(vacancy.notes)}"] if vacancy.notes else []
    if extra:
        blocks.append(SectionBlock(text=truncate("\n".join(extra), 3000)))
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=f"*{status}* · Vacancy V-{vacancy.id} · logged by <@{vacancy.created_by}> · "
                    f"last confirmed {day(vacancy.last_confirmed_at.date())}"
                )
            ]
        )
    )
    if vacancy.status in ("open", "referral_pending"):
        blocks.append(card_actions(vacancy))
    text = escape(f"{status}: {title}, {money(vacancy.rent_cents)}/month, available {day(vacancy.available_on)}")
    return text, [b.to_dict() for b in blocks]


def card_actions(vacancy: Vacancy) -> ActionsBlock:
    value = str(vacancy.id)
    return ActionsBlock(
        # A new block_id on every version, as Slack asks of edited messages.
        block_id=f"vacancy_actions:{vacancy.id}:{vacancy.version}",
        elements=[
            ButtonElement(action_id=ids.ACTION_REFER, text="Refer a client", value=value, style="primary"),
            ButtonElement(action_id=ids.ACTION_FILL, text="Mark filled", value=value),
            ButtonElement(action_id=ids.ACTION_UPDATE, text="Update", value=value),
            ButtonElement(
                action_id=ids.ACTION_WITHDRAW,
                text="Withdraw",
                value=value,
                style="danger",
                confirm=ConfirmObject(
                    title="Withdraw this listing?",
                    text="It leaves the board for everyone. Case managers with referrals are told.",
                    confirm="Withdraw",
                    deny="Keep it",
                ),
            ),
        ],
    )


HISTORY_WORDS = {
    "filled": ":house_with_garden: Marked filled by {by}.",
    "withdrawn": "Withdrawn by {by}.",
    "expired": "Expired: nobody confirmed it was still available.",
    "confirmed": "Confirmed still available by {by}.",
    "updated": "Details updated by {by}.",
    "referred": "A referral was made by {by}.",
    "reopened": "Open again: the referral did not go ahead.",
    "moved_in": ":tada: Moved in! Thank you, everyone who helped fill this unit.",
}


def history_line(vacancy: Vacancy, *, event: str, by: str) -> str:
    """One line in the card's thread for a change; names staff and partners by Slack mention only."""
    template = HISTORY_WORDS.get(event, "Changed by {by}.")
    return template.format(by=f"<@{by}>" if by else "Porchlight")


def confirm_ask(vacancy: Vacancy, *, managers: list[str]) -> tuple[str, list[dict[str, Any]]]:
    """The re-confirmation ask in the card's thread, addressed to the property's managers."""
    who = " ".join(f"<@{m}>" for m in managers) or "Property managers"
    text = (
        f"{who}: is {escape(vacancy.property_name)} #{escape(vacancy.unit)} still available? It was last confirmed "
        f"{day(vacancy.last_confirmed_at.date())}; unconfirmed listings expire."
    )
    value = str(vacancy.id)
    buttons = ActionsBlock(
        block_id=f"confirm_ask:{vacancy.id}:{vacancy.version}",
        elements=[
            ButtonElement(action_id=ids.ACTION_STILL_AVAILABLE, text="Still available", value=value, style="primary"),
            ButtonElement(action_id=ids.ACTION_FILL, text="Filled", value=value),
            ButtonElement(action_id=ids.ACTION_UPDATE, text="Update", value=value),
        ],
    )
    return text, [SectionBlock(text=text).to_dict(), buttons.to_dict()]  # typed parts escaped above


def vacancy_confirmation(vacancy: Vacancy, permalink: str | None) -> str:
    where = f"<{permalink}|See the card>" if permalink else "It is in the vacancies channel"
    return f"Posted vacancy V-{vacancy.id}: {escape(vacancy.property_name)} #{escape(vacancy.unit)}. {where}."


def delivery_failure_notice(*, kind: str, channel: str, error: str, row_id: int) -> str:
    return (
        f":warning: Porchlight could not deliver a message ({kind}, outbox #{row_id}) to <#{channel}>: "
        f"Slack said `{escape(error)}`. Check that the bot is in that channel and the channel still exists; "
        "nothing else will be retried for this message."
    )


HELP_TEXT = (
    "*/vacancy* — log a unit you heard about so every case manager sees it.\n"
    "• `/vacancy` opens a form: property, unit, bedrooms, rent, available date, subsidies accepted, "
    "accessibility, screening, leasing contact, notes. It posts a card with unit facts to the vacancies channel "
    "and tells you where it is.\n"
    "• `/vacancy list` shows open units, soonest first; add filters such as `2br max:1400 hcv accessible "
    "area:north by:2026-12-15`.\n"
    "• Each card has buttons: *Refer a client* (case managers), *Mark filled*, *Update* and *Withdraw* (the "
    "property's managers and coordinators).\n"
    "• `/vacancy property [name]` adds or edits a property, its managers and its shared channel (coordinators).\n"
    "• `/vacancy help` shows this message.\n"
    "Never type a resident's name or personal details: cards are seen by partners in shared channels. "
    "Use your agency's client reference code when you need to refer to someone."
)


def help_blocks() -> list[dict[str, Any]]:
    return [SectionBlock(text=HELP_TEXT).to_dict()]


def home_view(home: HomeView, *, vacancy_channel: str | None) -> dict[str, Any]:
    """The App Home tab: the board for everyone, the viewer's referrals, and a manager's own listings."""
    where = f" in <#{vacancy_channel}>" if vacancy_channel else ""
    units = "1 unit" if home.summary.open_units == 1 else f"{home.summary.open_units} units"
    props = "1 property" if home.summary.open_properties == 1 else f"{home.summary.open_properties} properties"
    out: list[Block] = [
        HeaderBlock(text="Porchlight"),
        SectionBlock(text=f"*Open right now:* {units} at {props}{where}."),
    ]
    out += [_home_line(v, area) for v, area in home.soonest]
    if home.listings:
        out += [DividerBlock(), SectionBlock(text="*Your listings* (use the buttons on their cards to keep them true)")]
        out += [_home_line(v, "") for v in home.listings]
    if home.referrals:
        out += [DividerBlock(), SectionBlock(text="*Your referrals*")]
        out += [
            SectionBlock(
                text=f"R-{r.id} · client {escape(r.client_code)} · {escape(v.property_name)} #{escape(v.unit)} · "
                f"*{r.status.replace('_', ' ')}*"
                + (f" ({DENIAL_REASONS.get(r.denial_reason or '', '')})" if r.denial_reason else "")
            )
            for r, v in home.referrals
        ]
    out += [DividerBlock(), SectionBlock(text=HELP_TEXT)]
    view = View(type="home", blocks=out[:100])
    view.validate_json()
    return view.to_dict()


def _home_line(vacancy: Vacancy, area: str) -> Block:
    where = f" · {escape(area)}" if area else ""
    title = f"V-{vacancy.id} · {bedrooms(vacancy.bedrooms)} · {escape(vacancy.property_name)} #{escape(vacancy.unit)}"
    return SectionBlock(
        text=f"*{title}*{where} · {money(vacancy.rent_cents)}/month · available {day(vacancy.available_on)}"
    )


def vacancy_card_not_posted(vacancy: Vacancy) -> str:
    return (
        f"Vacancy V-{vacancy.id} ({escape(vacancy.property_name)} #{escape(vacancy.unit)}) is saved, but its card "
        "could not be posted to the vacancies channel. The coordinator has been told; you don't need to log it again."
    )


def vacancy_not_saved(facts: VacancyFacts, ref: str) -> str:
    """What the submitter is told if their vacancy could not be stored after the form closed."""
    entered = (
        f"{escape(facts.property_name)} #{escape(facts.unit)}, {bedrooms(facts.bedrooms)}, "
        f"{money(facts.rent_cents)}/month, available {day(facts.available_on)}, contact {escape(facts.contact)}"
    )
    return (
        f":warning: Sorry, your vacancy could not be saved (ref {ref}), so it is not on the board. "
        f"Please run /vacancy again. What you entered: {entered}."
    )


@dataclass(frozen=True)
class RowMeta:
    """private_metadata of a modal about one row (a vacancy or a referral)."""

    row_id: int

    def dump(self) -> str:
        return json.dumps({"row_id": self.row_id})

    @classmethod
    def load(cls, raw: str | None) -> RowMeta:
        try:
            data = json.loads(raw or "{}")
            return cls(row_id=int(data["row_id"]))
        except (ValueError, KeyError, TypeError) as exc:
            raise UserError("That form is out of date; please start again from the card.") from exc


def _modal(callback_id: str, title: str, submit: str, meta: RowMeta, blocks: list[Block]) -> dict[str, Any]:
    view = View(
        type="modal", callback_id=callback_id, title=title, submit=submit, close="Cancel",
        private_metadata=meta.dump(), blocks=blocks,
    )  # fmt: skip
    view.validate_json()
    return view.to_dict()


def _chosen(codes: list[str], labels: dict[str, str]) -> list[Option] | None:
    return [Option(value=c, text=labels[c]) for c in codes if c in labels] or None


def vacancy_edit_modal(vacancy: Vacancy) -> dict[str, Any]:
    """The Update form, filled with the listing as it is now."""

    def text(block_id: str, label: str, value: str, **extra: Any) -> Block:
        return _text(block_id, label, initial_value=value or None, **extra)

    blocks: list[Block] = [
        SectionBlock(
            text=f"*{escape(vacancy.property_name)} #{escape(vacancy.unit)}* · V-{vacancy.id}. Unit facts only."
        ),
        text("unit", "Unit", vacancy.unit),
        text("bedrooms", "Bedrooms", str(vacancy.bedrooms), hint="0 for a studio"),
        text("rent", "Monthly rent", f"{vacancy.rent_cents / 100:.2f}".removesuffix(".00")),
        InputBlock(
            block_id="available_on",
            label="Available from",
            element=DatePickerElement(action_id="available_on", initial_date=vacancy.available_on.isoformat()),
        ),
        InputBlock(
            block_id="subsidies",
            label="Subsidies / vouchers accepted",
            optional=True,
            element=StaticMultiSelectElement(
                action_id="subsidies",
                options=_options(SUBSIDIES),
                initial_options=_chosen(vacancy.subsidies, SUBSIDIES),
            ),
        ),
        InputBlock(
            block_id="accessibility",
            label="Accessibility features",
            optional=True,
            element=CheckboxesElement(
                action_id="accessibility",
                options=_options(ACCESSIBILITY),
                initial_options=_chosen(vacancy.accessibility, ACCESSIBILITY),
            ),
        ),
        InputBlock(
            block_id="screening",
            label="Screening applied",
            optional=True,
            element=CheckboxesElement(
                action_id="screening",
                options=_options(SCREENING),
                initial_options=_chosen(vacancy.screening, SCREENING),
            ),
        ),
        text("screening_notes", "Screening notes", vacancy.screening_notes, optional=True),
        text("contact", "Leasing contact", vacancy.contact),
        text("notes", "Notes", vacancy.notes, optional=True, multiline=True),
    ]
    return _modal(ids.VIEW_VACANCY_UPDATE, "Update vacancy", "Save", RowMeta(vacancy.id), blocks)


def referral_modal(vacancy: Vacancy) -> dict[str, Any]:
    subsidy_options = [*_options(SUBSIDIES), Option(value="none", text="No subsidy")]
    blocks: list[Block] = [
        SectionBlock(
            text=f"Refer a client for *{escape(vacancy.property_name)} #{escape(vacancy.unit)}* "
            f"({bedrooms(vacancy.bedrooms)}, {money(vacancy.rent_cents)}/month).\n"
            ":lock: *Use your agency's client reference code. Never a name, birth date or contact details.* "
            "Details reach the property only with a release of information on file."
        ),
        _text("client_code", "Client reference code", placeholder="e.g. CM-20431"),
        _text("household_size", "Household size", placeholder="e.g. 3"),
        InputBlock(
            block_id="subsidy",
            label="Subsidy",
            optional=True,
            element=StaticSelectElement(action_id="subsidy", placeholder="Choose", options=subsidy_options),
        ),
        InputBlock(
            block_id="roi",
            label="Release of information (ROI) on file?",
            element=RadioButtonsElement(
                action_id="roi", options=[Option(value="yes", text="Yes"), Option(value="no", text="No")]
            ),
        ),
        _text(
            "note", "Note for the property manager", optional=True, multiline=True, hint="No names or personal details."
        ),
    ]
    return _modal(ids.VIEW_REFERRAL_NEW, "Refer a client", "Refer", RowMeta(vacancy.id), blocks)


def deny_modal(referral: Referral) -> dict[str, Any]:
    blocks: list[Block] = [
        InputBlock(
            block_id="reason",
            label="Reason",
            element=StaticSelectElement(action_id="reason", placeholder="Choose", options=_options(DENIAL_REASONS)),
        ),
        _text("note", "Note", optional=True, multiline=True, hint="No names or personal details."),
    ]
    return _modal(ids.VIEW_REFERRAL_DENY, f"Deny R-{referral.id}", "Deny", RowMeta(referral.id), blocks)


def moved_in_modal(referral: Referral, *, today: date) -> dict[str, Any]:
    blocks: list[Block] = [
        InputBlock(
            block_id="move_in_on",
            label="Move-in date",
            element=DatePickerElement(action_id="move_in_on", initial_date=today.isoformat()),
        ),
    ]
    return _modal(ids.VIEW_REFERRAL_MOVED_IN, f"Moved in: R-{referral.id}", "Save", RowMeta(referral.id), blocks)


def referral_notice(referral: Referral, vacancy: Vacancy, *, managers: list[str]) -> tuple[str, list[dict[str, Any]]]:
    """The referral in the card's thread (a shared place): its number and who made it, never client details."""
    who = " ".join(f"<@{m}>" for m in managers) or "Property managers"
    text = (
        f"{who}: referral *R-{referral.id}* from <@{referral.created_by}> for this unit. "
        "Please answer within 48 hours. *Details* shows the household privately to the property's managers."
    )
    value = str(referral.id)
    actions = ActionsBlock(
        block_id=f"referral:{referral.id}",
        elements=[
            ButtonElement(action_id=ids.ACTION_REFERRAL_ACCEPT, text="Accept", value=value, style="primary"),
            ButtonElement(action_id=ids.ACTION_REFERRAL_DENY, text="Deny", value=value),
            ButtonElement(action_id=ids.ACTION_REFERRAL_MOVED_IN, text="Moved in", value=value),
            ButtonElement(action_id=ids.ACTION_REFERRAL_DETAILS, text="Details", value=value),
        ],
    )
    return f"Referral R-{referral.id} for this unit", [SectionBlock(text=text).to_dict(), actions.to_dict()]


def referral_outcome_dm(referral: Referral, vacancy: Vacancy) -> str:
    """To the case manager who referred (our own staff, in a DM): their own client code is fine here."""
    what = {
        "accepted": "was *accepted*",
        "denied": f"was *denied* ({DENIAL_REASONS.get(referral.denial_reason or '', 'no reason given')})",
        "moved_in": f"*moved in* on {day(referral.move_in_on) if referral.move_in_on else 'a date not given'} :tada:",
    }.get(referral.status, f"is now {referral.status}")
    note = f" Note: {escape(referral.denial_note)}" if referral.denial_note else ""
    return (
        f"Referral R-{referral.id} (client {escape(referral.client_code)}) for {escape(vacancy.property_name)} "
        f"#{escape(vacancy.unit)} {what}.{note}"
    )


def referral_details(referral: Referral) -> str:
    """Shown privately (ephemeral) to the property's managers and coordinators; the code only with an ROI."""
    subsidy = SUBSIDIES.get(referral.subsidy, "No subsidy")
    code = escape(referral.client_code) if referral.roi_on_file else "withheld until a release of information is signed"
    note = f"\nNote: {escape(referral.note)}" if referral.note else ""
    return (
        f"*R-{referral.id}* · household of {referral.household_size} · {subsidy} · ROI on file: "
        f"{'yes' if referral.roi_on_file else 'no'} · client code: {code} · status: "
        f"{referral.status.replace('_', ' ')}{note}"
    )


def celebration(vacancy: Vacancy) -> str:
    return (
        f":tada: {escape(vacancy.property_name)} #{escape(vacancy.unit)} is someone's home now. "
        "Thank you to everyone who worked on it!"
    )


def property_modal(current: Property | None, *, company: Partner | None, managers: list[str]) -> dict[str, Any]:
    """Add a property, or edit one (prefilled): its company's Slack team recognises the company's people."""

    def text(block_id: str, label: str, value: str | None, **extra: Any) -> Block:
        return InputBlock(
            block_id=block_id, label=label, optional=block_id != "name",
            element=PlainTextInputElement(action_id=block_id, initial_value=value or None, **extra),
        )  # fmt: skip

    blocks: list[Block] = [
        text("name", "Property name", current.name if current else None, max_length=100),
        text("address", "Address", current.address if current else None, max_length=200),
        text("area", "Area or neighbourhood", current.area if current else None, max_length=60),
        text("company", "Management company", company.name if company else None, max_length=120),
        text(
            "company_team",
            "Company's Slack team id (Slack Connect)",
            company.slack_team_id if company else None,
            max_length=20,
            placeholder="T0123ABCD",
        ),
        InputBlock(
            block_id="managers",
            label="Property managers",
            optional=True,
            hint="They can keep this property's listings true and answer referrals, from any workspace.",
            element=UserMultiSelectElement(action_id="managers", initial_users=managers or None),
        ),
        InputBlock(
            block_id="shared_channel",
            label="Channel shared with the property",
            optional=True,
            element=ChannelSelectElement(
                action_id="shared_channel", initial_channel=current.shared_channel if current else None
            ),
        ),
    ]
    meta = RowMeta(current.id if current else 0)
    return _modal(ids.VIEW_PROPERTY, "Edit property" if current else "Add a property", "Save", meta, blocks)


def board_page(
    found: list[tuple[Vacancy, str]], *, total: int, page: int, page_size: int, query: str
) -> tuple[str, list[dict[str, Any]]]:
    """One page of the board, ephemeral: a line per unit and a button for the next page."""
    if not found:
        return "No open vacancies match.", [SectionBlock(text="No open vacancies match. Try fewer filters.").to_dict()]
    first = page * page_size + 1
    header = f"*Open vacancies {first} to {first + len(found) - 1} of {total}*, soonest first"
    out: list[Block] = [SectionBlock(text=header)]
    for vacancy, area in found:
        where = f" · {escape(area)}" if area else ""
        subsidies = _labels(vacancy.subsidies, SUBSIDIES, "no subsidy listed")
        access = " · :wheelchair: accessible" if vacancy.accessibility else ""
        pending = " · referral pending" if vacancy.status == "referral_pending" else ""
        out.append(
            SectionBlock(
                text=f"*V-{vacancy.id} · {bedrooms(vacancy.bedrooms)} · {escape(vacancy.property_name)} "
                f"#{escape(vacancy.unit)}*{where}\n{money(vacancy.rent_cents)}/month · available "
                f"{day(vacancy.available_on)} · {subsidies}{access}{pending}"
            )
        )
    buttons = []
    if page > 0:
        buttons.append(
            ButtonElement(action_id=ids.ACTION_LIST_PAGE, text="Previous", value=_page_value(query, page - 1))
        )
    if first + len(found) - 1 < total:
        buttons.append(ButtonElement(action_id=ids.ACTION_LIST_PAGE, text="Next", value=_page_value(query, page + 1)))
    if buttons:
        out.append(ActionsBlock(block_id=f"board_page:{page}", elements=buttons))
    return f"{total} open vacancies", [b.to_dict() for b in out]


def _page_value(query: str, page: int) -> str:
    return json.dumps({"q": query[:1500], "p": page})


def read_page_value(value: str) -> tuple[str, int]:
    try:
        data = json.loads(value)
        return str(data["q"]), max(0, int(data["p"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise UserError("That page button is out of date; run /vacancy list again.") from exc
