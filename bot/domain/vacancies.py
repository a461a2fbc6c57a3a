"""Vacancies: validate what a case manager typed, store it, and queue its card."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy.orm import Session

from bot.domain.actors import Actor
from bot.errors import FormErrors
from storage import audit, outbox
from storage.models import Vacancy

# Codes are stored; labels are shown. Order is the order people see them in.
SUBSIDIES = {
    "hcv": "Housing Choice Voucher (Section 8)",
    "vash": "VASH",
    "ehv": "Emergency Housing Voucher",
    "psh": "Permanent Supportive Housing",
    "rrh": "Rapid Re-Housing",
    "other": "Other subsidy",
}
ACCESSIBILITY = {
    "step_free": "Step-free entrance",
    "wheelchair": "Wheelchair accessible unit",
    "elevator": "Elevator or ground floor",
    "roll_in_shower": "Roll-in shower",
    "grab_bars": "Grab bars",
    "visual_alarms": "Visual / hearing-impaired alarms",
}
SCREENING = {
    "credit": "Credit check",
    "rental_history": "Rental history check",
    "criminal": "Criminal background check",
}

MAX_BEDROOMS = 10
MAX_RENT = Decimal("20000")
PAST_GRACE_DAYS = 30
FUTURE_LIMIT_DAYS = 365
LIMITS = {"property_name": 100, "unit": 30, "contact": 200, "screening_notes": 500, "notes": 1000}

CARD_POST = "vacancy_card.post"
CONFIRM = "vacancy.confirm"


@dataclass(frozen=True)
class VacancyDraft:
    """What the form holds, as typed: strings and selected codes, not yet checked."""

    property_name: str = ""
    unit: str = ""
    bedrooms: str = ""
    rent: str = ""
    available_on: str = ""
    subsidies: tuple[str, ...] = ()
    accessibility: tuple[str, ...] = ()
    screening: tuple[str, ...] = ()
    screening_notes: str = ""
    contact: str = ""
    notes: str = ""


@dataclass(frozen=True)
class VacancyFacts:
    """A checked vacancy, ready to store."""

    property_name: str
    unit: str
    bedrooms: int
    rent_cents: int
    available_on: date
    subsidies: list[str] = field(default_factory=list)
    accessibility: list[str] = field(default_factory=list)
    screening: list[str] = field(default_factory=list)
    screening_notes: str = ""
    contact: str = ""
    notes: str = ""


def check_vacancy(draft: VacancyDraft, *, today: date) -> VacancyFacts:
    """Return the checked facts, or raise FormErrors naming every field that is wrong."""
    errors: dict[str, str] = {}
    texts = {name: getattr(draft, name).strip() for name in LIMITS}
    for name in ("property_name", "unit", "contact"):
        if not texts[name]:
            errors[name] = "Required."
    for name, limit in LIMITS.items():
        if len(texts[name]) > limit:
            errors[name] = f"Too long: {len(texts[name])} characters, at most {limit}."
    bedrooms = _check_bedrooms(draft.bedrooms, errors)
    rent_cents = _check_rent(draft.rent, errors)
    available_on = _check_available(draft.available_on, today, errors)
    for name, allowed in (
        ("subsidies", SUBSIDIES),
        ("accessibility", ACCESSIBILITY),
        ("screening", SCREENING),
    ):
        unknown = [code for code in getattr(draft, name) if code not in allowed]
        if unknown:
            errors[name] = "Unknown option; please choose from the list."
    if errors or bedrooms is None or rent_cents is None or available_on is None:
        raise FormErrors(errors)
    return VacancyFacts(
        bedrooms=bedrooms,
        rent_cents=rent_cents,
        available_on=available_on,
        subsidies=_ordered(draft.subsidies, SUBSIDIES),
        accessibility=_ordered(draft.accessibility, ACCESSIBILITY),
        screening=_ordered(draft.screening, SCREENING),
        **texts,
    )


def _ordered(codes: tuple[str, ...], allowed: dict[str, str]) -> list[str]:
    chosen = set(codes)
    return [code for code in allowed if code in chosen]


def _check_bedrooms(raw: str, errors: dict[str, str]) -> int | None:
    text = raw.strip().lower()
    if text in ("studio", "efficiency"):
        return 0
    if not re.fullmatch(r"\d{1,3}", text):
        errors["bedrooms"] = "Enter a whole number of bedrooms (0 for a studio)."
        return None
    value = int(text)
    if value > MAX_BEDROOMS:
        errors["bedrooms"] = f"Bedrooms must be between 0 and {MAX_BEDROOMS}."
        return None
    return value


def _check_rent(raw: str, errors: dict[str, str]) -> int | None:
    text = raw.strip().removeprefix("$").replace(",", "").strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not text or not value.is_finite() or value.as_tuple().exponent < -2:  # type: ignore[operator]
        errors["rent"] = "Enter the monthly rent as a number, e.g. 1250 or 1,250.00."
        return None
    if value < 0 or value > MAX_RENT:
        errors["rent"] = f"Monthly rent must be between $0 and ${MAX_RENT:,}."
        return None
    return int(value * 100)


def _check_available(raw: str, today: date, errors: dict[str, str]) -> date | None:
    try:
        value = date.fromisoformat(raw.strip())
    except ValueError:
        errors["available_on"] = "Pick the date the unit is available."
        return None
    if value < today - timedelta(days=PAST_GRACE_DAYS):
        errors["available_on"] = (
            f"That date is more than {PAST_GRACE_DAYS} days ago; if the unit is available now, pick today."
        )
        return None
    if value > today + timedelta(days=FUTURE_LIMIT_DAYS):
        errors["available_on"] = "That date is more than a year away."
        return None
    return value


def log_vacancy(
    session: Session,
    *,
    facts: VacancyFacts,
    actor: Actor,
    now: datetime,
    board_channel: str,
    reply_channel: str | None,
) -> Vacancy:
    """Store a new open vacancy, audit it, and queue its card and the submitter's confirmation."""
    vacancy = Vacancy(
        **facts.__dict__,
        status="open",
        created_by=actor.user_id,
        created_by_team=actor.team_id or "",
        created_at=now,
        updated_at=now,
        last_confirmed_at=now,
    )
    session.add(vacancy)
    session.flush()
    audit.record(
        session,
        actor=actor.user_id,
        actor_team=actor.team_id,
        action="vacancy.logged",
        subject_type="vacancy",
        subject_id=vacancy.id,
        at=now,
        detail={"property": facts.property_name, "unit": facts.unit, "status": "open"},
    )
    card = outbox.enqueue(session, kind=CARD_POST, channel=board_channel, subject_id=vacancy.id, now=now)
    outbox.enqueue(
        session,
        kind=CONFIRM,
        channel=reply_channel or actor.user_id,
        user=actor.user_id,
        subject_id=vacancy.id,
        after=card,
        now=now,
    )
    return vacancy
