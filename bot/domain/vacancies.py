"""Vacancies: validate what a case manager typed, store it, and queue its card."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from bot.domain import numbers, privacy, referral_deadlines
from bot.domain.actors import SYSTEM, Actor
from bot.domain.statuses import IN_PLAY, ReferralStatus, VacancyStatus
from bot.domain.statuses import LIVE as LIVE  # re-exported: the board's statuses, as callers know them
from bot.errors import FormErrors, UserError
from storage import audit, outbox, posted
from storage.models import AuditEntry, Property, PropertyManager, Referral, Vacancy

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
# What each text field is, for the personal-data check (bot.domain.privacy). The leasing contact is the one
# place a phone number or an email belongs: the leasing office's.
TEXT_KINDS = {
    "property_name": privacy.FieldKind.LABEL,
    "unit": privacy.FieldKind.LABEL,
    "contact": privacy.FieldKind.CONTACT,
    "screening_notes": privacy.FieldKind.NOTE,
    "notes": privacy.FieldKind.NOTE,
}

SUBJECT, CARD = "vacancy", "card"  # a vacancy's card, kept in place in each channel that shows it (storage.posted)


class Kind(StrEnum):
    """Outbox kinds: what the delivery job renders from the database at delivery time (jobs/features)."""

    CARD_POST = "vacancy_card.post"  # show the card in a channel: post it, or edit the one already there
    CONFIRM = "vacancy.confirm"  # tell the submitter where the card is
    HISTORY = "vacancy.history"  # a line in the card's thread: detail {"event": ..., "by": user}
    CONFIRM_ASK = "vacancy.confirm_ask"  # ask the property's managers in the thread whether it is still available
    # Tell the referring case manager an outcome, by DM. A referral's kind, but here: a unit that leaves the
    # board denies its referrals itself (and referrals imports this module, not the other way round).
    REFERRAL_OUTCOME = "referral.outcome"


class Event(StrEnum):
    """A change people see as a line in the card's thread (outbox detail "event"), audited as vacancy.<event>."""

    FILLED = "filled"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"
    CONFIRMED = "confirmed"
    UPDATED = "updated"
    REOPENED = "reopened"
    MOVED_IN = "moved_in"


@dataclass(frozen=True)
class VacancyDraft:
    """What the form holds, as typed: strings and selected codes, not yet checked."""

    property_id: str = ""
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
    """A checked vacancy, ready to store. `property_id` is a listed property; else `property_name` was typed."""

    property_id: int | None
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
    """Return the checked facts, or raise FormErrors naming every field that is wrong. Texts come back cleaned
    of invisible characters, and are refused inline when they hold personal data (a card is seen by partners)."""
    errors: dict[str, str] = {}
    texts = {name: privacy.clean_text(getattr(draft, name)).strip() for name in LIMITS}
    for name in ("unit", "contact"):
        if not texts[name]:
            errors[name] = "Required."
    property_id = numbers.row_id(draft.property_id)
    if property_id is None and not texts["property_name"]:
        errors["property_name"] = "Choose a property from the list above, or type its name here."
    for name, limit in LIMITS.items():
        if len(texts[name]) > limit:
            errors[name] = f"Too long: {len(texts[name])} characters, at most {limit}."
    privacy.check_fields(texts, TEXT_KINDS, errors=errors, today=today)
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
        property_id=property_id,
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


class AlreadyDone(UserError):
    """A compare-and-set lost: someone else changed the listing first (a double click, or two people)."""


def log_vacancy(
    session: Session,
    *,
    facts: VacancyFacts,
    actor: Actor,
    now: datetime,
    board_channel: str,
    reply_channel: str | None,
) -> Vacancy:
    """Store a new open vacancy, audit it, and queue its cards and the submitter's confirmation."""
    listed = property_for(session, facts)
    values = {k: v for k, v in facts.__dict__.items() if k != "property_id"}
    vacancy = Vacancy(
        **values,
        property_id=listed.id if listed else None,
        status=VacancyStatus.OPEN,
        created_by=actor.user_id,
        created_by_team=actor.team_id or "",
        created_at=now,
        updated_at=now,
        last_confirmed_at=now,
    )
    if listed is not None:
        vacancy.property_name = listed.name
    session.add(vacancy)
    session.flush()
    _audit(session, vacancy, actor, "vacancy.logged", now)
    card = outbox.enqueue(session, kind=Kind.CARD_POST, channel=board_channel, subject_id=vacancy.id, now=now)
    if listed is not None and listed.shared_channel and listed.shared_channel != board_channel:
        outbox.enqueue(session, kind=Kind.CARD_POST, channel=listed.shared_channel, subject_id=vacancy.id, now=now)
    outbox.enqueue(
        session,
        kind=Kind.CONFIRM,
        channel=reply_channel or actor.user_id,
        user=actor.user_id,
        subject_id=vacancy.id,
        after=card,
        now=now,
    )
    return vacancy


def property_for(session: Session, facts: VacancyFacts) -> Property | None:
    """The listed property the facts name (chosen, or typed with its name), None for an unlisted one."""
    if facts.property_id is not None:
        listed = session.get(Property, facts.property_id)
        if listed is None:
            raise FormErrors({"property_id": "That property is no longer listed; choose another or type its name."})
        return listed
    return session.scalar(select(Property).where(func.lower(Property.name) == facts.property_name.lower()))


def _audit(session: Session, vacancy: Vacancy, actor: Actor, action: str, now: datetime, **extra: object) -> None:
    audit.record(
        session,
        actor=actor.user_id,
        actor_team=actor.team_id,
        action=action,
        subject_type="vacancy",
        subject_id=vacancy.id,
        at=now,
        detail={"property": vacancy.property_name, "unit": vacancy.unit, "status": vacancy.status, **extra},
    )


def get_vacancy(session: Session, vacancy_id: int, *, lock: bool = False) -> Vacancy:
    """The vacancy; `lock` takes its row lock (SELECT ... FOR UPDATE) and reads it afresh.

    Every transaction that changes a vacancy's status or its referrals locks the vacancy first, so the unit and
    its referrals are changed by one transaction at a time: on PostgreSQL a referral made while the unit was
    being withdrawn, or a denial racing a new referral, would otherwise leave them disagreeing. (SQLite ignores
    FOR UPDATE; its single writer already serialises these transactions.)
    """
    if lock:
        vacancy = session.get(Vacancy, vacancy_id, with_for_update=True, populate_existing=True)
    else:
        vacancy = session.get(Vacancy, vacancy_id)
    if vacancy is None:
        raise UserError("That vacancy is no longer on the board.")
    return vacancy


def card_of(vacancy_id: int) -> posted.Kept:
    """The vacancy's card, as the posted-message table knows it."""
    return posted.Kept(SUBJECT, vacancy_id, CARD)


def card_channels(session: Session, vacancy: Vacancy, board_channel: str) -> list[str]:
    """Every channel that shows (or should show) this vacancy's card."""
    shown = posted.channels(session, subject_type=SUBJECT, subject_id=vacancy.id, role=CARD)
    wanted = [board_channel]
    if vacancy.property_id is not None:
        shared = session.scalar(select(Property.shared_channel).where(Property.id == vacancy.property_id))
        if shared:
            wanted.append(shared)
    return list(dict.fromkeys([*shown, *wanted]))


def refresh_cards(
    session: Session, vacancy: Vacancy, *, board_channel: str, now: datetime, event: Event | None = None, by: str = ""
) -> None:
    """Queue an in-place edit of every card and, for a change people should see, a line in each card's thread."""
    for channel in card_channels(session, vacancy, board_channel):
        outbox.enqueue(session, kind=Kind.CARD_POST, channel=channel, subject_id=vacancy.id, now=now)
        if event is not None:
            outbox.enqueue(
                session,
                kind=Kind.HISTORY,
                channel=channel,
                subject_id=vacancy.id,
                now=now,
                detail={"event": event, "by": by},
            )


def _compare_and_set(
    session: Session, vacancy_id: int, allowed_from: tuple[VacancyStatus, ...], **values: object
) -> tuple[Vacancy, bool]:
    """Apply `values` (and a new version) only if the status is one of `allowed_from`; the row as it now is,
    and whether this caller won. The row is locked first, for the rest of the caller's transaction."""
    get_vacancy(session, vacancy_id, lock=True)
    changed = session.execute(
        update(Vacancy)
        .where(Vacancy.id == vacancy_id, Vacancy.status.in_(allowed_from))
        .values(**values, version=Vacancy.version + 1)
        .execution_options(synchronize_session=False)
    )
    vacancy = get_vacancy(session, vacancy_id)
    session.refresh(vacancy)
    return vacancy, changed.rowcount == 1  # type: ignore[attr-defined]


def require_live(vacancy: Vacancy, why: str = "") -> None:
    """AlreadyDone unless the listing is still on the board (open, or with a referral pending)."""
    if vacancy.status not in LIVE:
        words = STATUS_WORDS.get(vacancy.status, vacancy.status)
        raise AlreadyDone(f"V-{vacancy.id} is {words}{'; ' + why if why else ''}.")


def change_status(
    session: Session,
    vacancy_id: int,
    *,
    allowed_from: tuple[VacancyStatus, ...],
    to: VacancyStatus,
    actor: Actor,
    now: datetime,
    board_channel: str,
    event: Event,
) -> Vacancy:
    """Compare-and-set the status; the loser of a race (or a second click) gets AlreadyDone naming who won."""
    vacancy, won = _compare_and_set(
        session, vacancy_id, allowed_from, status=to, status_changed_by=actor.user_id, updated_at=now
    )
    if not won:
        who = f" by <@{vacancy.status_changed_by}>" if vacancy.status_changed_by else ""
        raise AlreadyDone(f"V-{vacancy.id} is already {STATUS_WORDS.get(vacancy.status, vacancy.status)}{who}.")
    _audit(session, vacancy, actor, f"vacancy.{event}", now)
    refresh_cards(session, vacancy, board_channel=board_channel, now=now, event=event, by=actor.user_id)
    if to not in LIVE:
        _close_open_referrals(session, vacancy, actor=actor, now=now)
    return vacancy


def _close_open_referrals(session: Session, vacancy: Vacancy, *, actor: Actor, now: datetime) -> None:
    """A unit that leaves the board takes its open referrals with it; each case manager is told by DM."""
    for referral in session.scalars(
        select(Referral).where(Referral.vacancy_id == vacancy.id, Referral.status.in_(IN_PLAY))
    ):
        referral.status, referral.denial_reason = ReferralStatus.DENIED, "unit_unavailable"
        referral.decided_by, referral.decided_at = actor.user_id, now
        detail = {"vacancy": vacancy.id, "status": ReferralStatus.DENIED, "reason": "unit_unavailable"}
        audit.record(
            session, actor=actor.user_id, actor_team=actor.team_id, action="referral.denied", subject_type="referral",
            subject_id=referral.id, at=now, detail=detail,
        )  # fmt: skip
        outbox.enqueue(
            session, kind=Kind.REFERRAL_OUTCOME, channel=referral.created_by, subject_id=referral.id, now=now
        )
        referral_deadlines.stop(session, referral.id, now=now)


STATUS_WORDS: dict[str, str] = {
    VacancyStatus.OPEN: "open",
    VacancyStatus.PENDING: "open with a referral pending",
    VacancyStatus.FILLED: "marked filled",
    VacancyStatus.WITHDRAWN: "withdrawn",
    VacancyStatus.EXPIRED: "expired",
}


def confirm_available(session: Session, vacancy_id: int, *, actor: Actor, now: datetime, board_channel: str) -> Vacancy:
    """A property manager (or coordinator) says the unit is still available: it counts as confirmed now."""
    vacancy, won = _compare_and_set(
        session, vacancy_id, LIVE, last_confirmed_at=now, confirm_asked_at=None, updated_at=now
    )
    if not won:
        raise AlreadyDone(f"V-{vacancy.id} is {STATUS_WORDS.get(vacancy.status, vacancy.status)}; nothing to confirm.")
    _audit(session, vacancy, actor, "vacancy.confirmed", now)
    refresh_cards(session, vacancy, board_channel=board_channel, now=now, event=Event.CONFIRMED, by=actor.user_id)
    return vacancy


class Stale(AlreadyDone):
    """An Update form opened before someone else changed the listing: saving it would silently undo their change."""

    def __init__(self, vacancy_id: int, by: str | None) -> None:
        who = f"<@{by}>" if by and by != SYSTEM else "Someone else"
        super().__init__(
            f"{who} changed V-{vacancy_id} after you opened this form, so your changes were not saved. "
            "The form now shows the listing as it is: make your changes again and press Save."
        )
        self.vacancy_id, self.by = vacancy_id, by


def last_changed_by(session: Session, vacancy_id: int) -> str | None:
    """Who made the newest audited change to the vacancy or to one of its referrals."""
    referrals_of = select(Referral.id).where(Referral.vacancy_id == vacancy_id)
    return session.scalar(
        select(AuditEntry.actor)
        .where(
            or_(
                and_(AuditEntry.subject_type == "vacancy", AuditEntry.subject_id == vacancy_id),
                and_(AuditEntry.subject_type == "referral", AuditEntry.subject_id.in_(referrals_of)),
            )
        )
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )


def update_facts(
    session: Session,
    vacancy_id: int,
    *,
    facts: VacancyFacts,
    actor: Actor,
    now: datetime,
    board_channel: str,
    seen_version: int | None = None,
) -> Vacancy:
    """Change a live listing's unit facts; it counts as a confirmation too. `seen_version` is the version the
    form was filled from: if the listing has changed since, Stale (naming who changed it) and nothing changes."""
    vacancy = get_vacancy(session, vacancy_id, lock=True)
    require_live(vacancy, "it can't be edited")
    if seen_version is not None and vacancy.version != seen_version:
        raise Stale(vacancy.id, last_changed_by(session, vacancy.id))
    for name, value in facts.__dict__.items():
        if name not in ("property_id", "property_name"):
            setattr(vacancy, name, value)
    vacancy.updated_at = vacancy.last_confirmed_at = now
    vacancy.confirm_asked_at = None
    vacancy.version += 1
    _audit(session, vacancy, actor, "vacancy.updated", now)
    refresh_cards(session, vacancy, board_channel=board_channel, now=now, event=Event.UPDATED, by=actor.user_id)
    return vacancy


def manager_ids(session: Session, vacancy: Vacancy) -> list[str]:
    """The listed managers of the vacancy's property (to address in its thread)."""
    if vacancy.property_id is None:
        return []
    return list(
        session.scalars(
            select(PropertyManager.user_id)
            .where(PropertyManager.property_id == vacancy.property_id)
            .order_by(PropertyManager.id)
        )
    )
