"""Vacancy cards and what goes in their threads: pure builders, plain values in, Block Kit out."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.domain.statuses import LIVE, VacancyStatus
from bot.domain.vacancies import ACCESSIBILITY, SCREENING, SUBSIDIES, Event
from bot.slack import ids
from bot.slack.text import bedrooms, day, escape, money, truncate
from storage.models import Referral, Vacancy

STATUS_LABELS: dict[str, str] = {
    VacancyStatus.OPEN: "Open",
    VacancyStatus.PENDING: "Open · referral pending",
    VacancyStatus.FILLED: "Filled",
    VacancyStatus.WITHDRAWN: "Withdrawn",
    VacancyStatus.EXPIRED: "Expired",
}


def labels(codes: list[str], labels: dict[str, str], empty: str) -> str:
    return ", ".join(labels.get(code, code) for code in codes) or empty


def vacancy_card(vacancy: Vacancy) -> tuple[str, list[dict[str, Any]]]:
    """The card shown in the vacancies channel: unit facts only. Returns (notification text, blocks)."""
    title = f"{bedrooms(vacancy.bedrooms)} · {vacancy.property_name} #{vacancy.unit}"
    status = STATUS_LABELS.get(vacancy.status, vacancy.status.title())
    fields = [
        f"*Rent*\n{money(vacancy.rent_cents)}/month",
        f"*Available*\n{day(vacancy.available_on)}",
        f"*Subsidies accepted*\n{labels(vacancy.subsidies, SUBSIDIES, 'None listed')}",
        f"*Accessibility*\n{labels(vacancy.accessibility, ACCESSIBILITY, 'None listed')}",
        f"*Screening*\n{labels(vacancy.screening, SCREENING, 'None listed')}",
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
    if vacancy.status in LIVE:
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


HISTORY_WORDS: dict[str, str] = {
    Event.FILLED: ":house_with_garden: Marked filled by {by}.",
    Event.WITHDRAWN: "Withdrawn by {by}.",
    Event.EXPIRED: "Expired: nobody confirmed it was still available.",
    Event.CONFIRMED: "Confirmed still available by {by}.",
    Event.UPDATED: "Details updated by {by}.",
    Event.REOPENED: "Open again: the referral did not go ahead.",
    Event.MOVED_IN: ":tada: Moved in! Thank you, everyone who helped fill this unit.",
}


def history_line(vacancy: Vacancy, *, event: str, by: str) -> str:
    """One line in the card's thread for a change; names staff and partners by Slack mention only."""
    template = HISTORY_WORDS.get(event, "Changed by {by}.")
    return template.format(by=f"<@{by}>" if by else "Porchlight")


def _addressed(managers: list[str]) -> str:
    """Whom a thread message calls on: the property's managers by mention, or all of them by role."""
    return " ".join(f"<@{m}>" for m in managers) or "Property managers"


def confirm_ask(vacancy: Vacancy, *, managers: list[str]) -> tuple[str, list[dict[str, Any]]]:
    """The re-confirmation ask in the card's thread, addressed to the property's managers."""
    who = _addressed(managers)
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


def referral_notice(referral: Referral, vacancy: Vacancy, *, managers: list[str]) -> tuple[str, list[dict[str, Any]]]:
    """The referral in the card's thread (a shared place): its number and who made it, never client details."""
    who = _addressed(managers)
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


def celebration(vacancy: Vacancy) -> str:
    return (
        f":tada: {escape(vacancy.property_name)} #{escape(vacancy.unit)} is someone's home now. "
        "Thank you to everyone who worked on it!"
    )
