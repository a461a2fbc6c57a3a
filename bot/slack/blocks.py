"""Pure Block Kit builders: plain values in, Slack payload dicts out. They never query the database."""

from __future__ import annotations

import functools
import json
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    ContextBlock,
    DatePickerElement,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.board import BoardSummary
from bot.domain.vacancies import ACCESSIBILITY, LIMITS, SCREENING, SUBSIDIES, VacancyFacts
from bot.slack import ids
from bot.slack.text import bedrooms, day, escape, money, truncate
from storage.models import Vacancy

STATUS_LABELS = {"open": "Open", "filled": "Filled", "withdrawn": "Withdrawn", "expired": "Expired"}


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


def _text(block_id: str, label: str, *, hint: str | None = None, optional: bool = False, **element: Any) -> Block:
    return InputBlock(
        block_id=block_id,
        label=label,
        hint=hint,
        optional=optional,
        element=PlainTextInputElement(action_id=block_id, max_length=LIMITS.get(block_id), **element),
    )


def vacancy_modal(meta: VacancyModalMeta, *, today: date) -> dict[str, Any]:
    """The modal a case manager fills to log a vacancy."""
    return {**_vacancy_modal_for(today), "private_metadata": meta.dump()}


@functools.lru_cache(maxsize=4)
def _vacancy_modal_for(today: date) -> dict[str, Any]:
    # Built and validated once a day: slack_sdk's models take milliseconds, which /vacancy should not pay.
    blocks: list[Block] = [
        SectionBlock(text="Unit facts only: *no resident names or personal details* — this card is shared."),
        _text("property_name", "Property", placeholder="e.g. Maple Court Apartments"),
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
    text = escape(f"{status}: {title}, {money(vacancy.rent_cents)}/month, available {day(vacancy.available_on)}")
    return text, [b.to_dict() for b in blocks]


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
    "• `/vacancy help` shows this message.\n"
    "Never type a resident's name or personal details: cards are seen by partners in shared channels. "
    "Use your agency's client reference code when you need to refer to someone."
)


def help_blocks() -> list[dict[str, Any]]:
    return [SectionBlock(text=HELP_TEXT).to_dict()]


def home_view(summary: BoardSummary, *, vacancy_channel: str | None) -> dict[str, Any]:
    """The App Home tab."""
    where = f" in <#{vacancy_channel}>" if vacancy_channel else ""
    units = "1 unit" if summary.open_units == 1 else f"{summary.open_units} units"
    props = "1 property" if summary.open_properties == 1 else f"{summary.open_properties} properties"
    view = View(
        type="home",
        blocks=[
            HeaderBlock(text="Porchlight"),
            SectionBlock(text=f"*Open right now:* {units} at {props}{where}."),
            SectionBlock(text=HELP_TEXT),
        ],
    )
    view.validate_json()
    return view.to_dict()


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
