"""Replies, DMs, the board pages and the Home tab: pure builders, plain values in, Block Kit out."""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    DividerBlock,
    HeaderBlock,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.domain.access import OUTSIDER
from bot.domain.home import COMPANY, NOTHING, HomeView
from bot.domain.referrals import DENIAL_REASONS
from bot.domain.statuses import ReferralStatus, VacancyStatus
from bot.domain.vacancies import SUBSIDIES, VacancyFacts
from bot.errors import UserError
from bot.slack import ids
from bot.slack.blocks.cards import labels
from bot.slack.payloads import parse_page
from bot.slack.text import bedrooms, day, escape, money
from storage.models import Referral, Vacancy


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
    """The App Home tab: the board (a partner's own company's part of it), the viewer's referrals, and a manager's
    own listings; for someone of a workspace we do not know, only what Porchlight is."""
    if home.scope == NOTHING:
        return View(type="home", blocks=[HeaderBlock(text="Porchlight"), SectionBlock(text=OUTSIDER)]).to_dict()
    where = f" in <#{vacancy_channel}>" if vacancy_channel else ""
    units = "1 unit" if home.summary.open_units == 1 else f"{home.summary.open_units} units"
    props = "1 property" if home.summary.open_properties == 1 else f"{home.summary.open_properties} properties"
    out: list[Block] = [
        HeaderBlock(text="Porchlight"),
        SectionBlock(
            text=f"*Open right now at your company's properties:* {units} at {props}."
            if home.scope == COMPANY
            else f"*Open right now:* {units} at {props}{where}."
        ),
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


def referral_outcome_dm(referral: Referral, vacancy: Vacancy) -> str:
    """To the case manager who referred (our own staff, in a DM): their own client code is fine here."""
    reason = DENIAL_REASONS.get(referral.denial_reason or "", "no reason given")
    moved_in_on = day(referral.move_in_on) if referral.move_in_on else "a date not given"
    outcomes: dict[str, str] = {
        ReferralStatus.ACCEPTED: "was *accepted*",
        ReferralStatus.DENIED: f"was *denied* ({reason})",
        ReferralStatus.MOVED_IN: f"*moved in* on {moved_in_on} :tada:",
    }
    what = outcomes.get(referral.status, f"is now {referral.status}")
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


def board_page(
    found: list[tuple[Vacancy, str]], *, total: int, page: int, page_size: int, query: str
) -> tuple[str, list[dict[str, Any]]]:
    """One page of the board, ephemeral: a line per unit and a button for the next page."""
    if not found:
        return "No open vacancies match.", [SectionBlock(text="No open vacancies match. Try fewer filters.").to_dict()]
    first, last = page * page_size + 1, page * page_size + len(found)
    counted = f"{total} open {'vacancy' if total == 1 else 'vacancies'}"
    if len(found) < total:
        header = f"*Open vacancies {first} to {last} of {total}*, soonest first"
    else:
        header = f"*{counted}*" + (", soonest first" if total > 1 else "")
    out: list[Block] = [SectionBlock(text=header)]
    for vacancy, area in found:
        where = f" · {escape(area)}" if area else ""
        subsidies = labels(vacancy.subsidies, SUBSIDIES, "no subsidy listed")
        access = " · :wheelchair: accessible" if vacancy.accessibility else ""
        pending = " · referral pending" if vacancy.status == VacancyStatus.PENDING else ""
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
    if last < total:
        buttons.append(ButtonElement(action_id=ids.ACTION_LIST_PAGE, text="Next", value=_page_value(query, page + 1)))
    if buttons:
        out.append(ActionsBlock(block_id=f"board_page:{page}", elements=buttons))
    return counted, [b.to_dict() for b in out]


def _page_value(query: str, page: int) -> str:
    return json.dumps({"q": query[:1500], "p": page})


def read_page_value(value: str) -> tuple[str, int]:
    try:
        data = json.loads(value)
        page = parse_page(data["p"])  # not int(): 1e30 would reach the database as an OFFSET
        if page is None or not isinstance(data["q"], str):
            raise ValueError("not a page")
        return data["q"], page
    except (ValueError, KeyError, TypeError, RecursionError) as exc:
        raise UserError("That page button is out of date; run /vacancy list again.") from exc
