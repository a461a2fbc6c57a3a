"""Modals people fill in: logging, updating and referring, outcomes, properties. Pure builders."""

from __future__ import annotations

import functools
import json
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ChannelSelectElement,
    CheckboxesElement,
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.referrals import DENIAL_REASONS
from bot.domain.vacancies import ACCESSIBILITY, LIMITS, SCREENING, SUBSIDIES
from bot.errors import UserError
from bot.slack import ids
from bot.slack.payloads import parse_row_id
from bot.slack.text import bedrooms, escape, money, truncate
from storage.models import Partner, Property, Referral, Vacancy


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
        except (ValueError, RecursionError):
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
        *_unit_choices(None),
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
            row_id = parse_row_id(data["row_id"])  # not int(): it takes 1e30, True and 2**63 as ids
            if row_id is None:
                raise ValueError("not a row id")
            return cls(row_id=row_id)
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            raise UserError("That form is out of date; please start again from the card.") from exc


@dataclass(frozen=True)
class VacancyEditMeta:
    """private_metadata of the Update form: the vacancy and the version it was filled from, so a form opened
    before someone else's change cannot silently undo it. `version` is None on forms opened before it was kept."""

    row_id: int
    version: int | None = None

    def dump(self) -> str:
        return json.dumps({"row_id": self.row_id, "version": self.version})

    @classmethod
    def load(cls, raw: str | None) -> VacancyEditMeta:
        row = RowMeta.load(raw)  # the row id is read (and refused) as every form's is
        version = json.loads(raw or "{}").get("version")
        if version is not None and (type(version) is not int or not 0 < version < 2**63):
            raise UserError("That form is out of date; please start again from the card.")
        return cls(row_id=row.row_id, version=version)


def _modal(
    callback_id: str, title: str, submit: str, meta: RowMeta | VacancyEditMeta, blocks: list[Block]
) -> dict[str, Any]:
    view = View(
        type="modal", callback_id=callback_id, title=title, submit=submit, close="Cancel",
        private_metadata=meta.dump(), blocks=blocks,
    )  # fmt: skip
    view.validate_json()
    return view.to_dict()


def _chosen(codes: list[str], labels: dict[str, str]) -> list[Option] | None:
    return [Option(value=c, text=labels[c]) for c in codes if c in labels] or None


# The unit's multiple-choice facts, in form order: field (block and action id), label, element, choices.
UNIT_CHOICES = (
    ("subsidies", "Subsidies / vouchers accepted", StaticMultiSelectElement, SUBSIDIES),
    ("accessibility", "Accessibility features", CheckboxesElement, ACCESSIBILITY),
    ("screening", "Screening applied", CheckboxesElement, SCREENING),
)


def _unit_choices(current: Vacancy | None) -> list[Block]:
    """The choice inputs of the new-vacancy form (`current` None) and of the Update form (ticked as listed)."""
    inputs: list[Block] = []
    for field, label, element, labels in UNIT_CHOICES:
        extra: dict[str, Any] = {}
        if current is not None:
            extra["initial_options"] = _chosen(getattr(current, field), labels)
        elif element is StaticMultiSelectElement:
            extra["placeholder"] = "Choose all that apply"
        inputs.append(
            InputBlock(
                block_id=field, label=label, optional=True,
                element=element(action_id=field, options=_options(labels), **extra),
            )
        )  # fmt: skip
    return inputs


def vacancy_edit_modal(vacancy: Vacancy, *, notice: str | None = None) -> dict[str, Any]:
    """The Update form, filled with the listing as it is now; `notice` (why it was reopened) goes on top."""

    def text(block_id: str, label: str, value: str, **extra: Any) -> Block:
        return _text(block_id, label, initial_value=value or None, **extra)

    blocks: list[Block] = [
        *([SectionBlock(block_id="notice", text=f":warning: {notice}")] if notice else []),
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
        *_unit_choices(vacancy),
        text("screening_notes", "Screening notes", vacancy.screening_notes, optional=True),
        text("contact", "Leasing contact", vacancy.contact),
        text("notes", "Notes", vacancy.notes, optional=True, multiline=True),
    ]
    meta = VacancyEditMeta(vacancy.id, vacancy.version)
    return _modal(ids.VIEW_VACANCY_UPDATE, "Update vacancy", "Save", meta, blocks)


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
