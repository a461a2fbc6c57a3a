"""Referrals: a case manager proposes a client (by reference code only) for a vacancy; the PM answers."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.domain import numbers, privacy, referral_deadlines, vacancies
from bot.domain.actors import Actor
from bot.domain.statuses import IN_PLAY, ReferralStatus, VacancyStatus
from bot.errors import FormErrors, UserError
from storage import audit, outbox
from storage.models import Referral

DENIAL_REASONS = {
    "income": "Income",
    "criminal_history": "Criminal history",
    "credit": "Credit",
    "rental_history": "Rental history",
    "unit_unavailable": "Unit no longer available",
    "client_declined": "Client declined",
    "no_response": "No response",
    "other": "Other",
}


class Kind(StrEnum):
    """Outbox kinds (jobs/features/referrals.py renders them)."""

    NOTICE = "referral.notice"  # the referral in the card's thread, with outcome buttons
    CELEBRATE = "vacancy.celebrate"  # a filled unit announced in the board channel (unit only)
    # The outcome's DM to the case manager is vacancies.Kind.REFERRAL_OUTCOME: a unit leaving the board sends it too.


NOTE_LIMIT = 500  # the referral's note and the denial's: characters


@dataclass(frozen=True)
class ReferralDraft:
    client_code: str = ""
    household_size: str = ""
    subsidy: str = ""
    roi: str = ""
    note: str = ""


@dataclass(frozen=True)
class ReferralFacts:
    client_code: str
    household_size: int
    subsidy: str
    roi_on_file: bool
    note: str


def check_referral(
    draft: ReferralDraft,
    *,
    code_format: re.Pattern[str] = privacy.DEFAULT_CODE_FORMAT,
    today: date | None = None,
) -> ReferralFacts:
    """Return checked facts, or FormErrors for every wrong field. Codes only: a code in the agency's format
    (`code_format`, PORCHLIGHT_CLIENT_CODE_PATTERN); names, birth dates, SSNs and contact details are refused."""
    errors: dict[str, str] = {}
    code = privacy.clean_text(draft.client_code).strip()
    if found := privacy.check_text(code, field=privacy.FieldKind.CODE, today=today, code_format=code_format):
        errors["client_code"] = found.message
    size = numbers.whole_number(draft.household_size.strip(), low=1, high=15)
    if size is None:
        errors["household_size"] = "Enter the number of people in the household, 1 to 15."
    if draft.subsidy and draft.subsidy not in vacancies.SUBSIDIES and draft.subsidy != "none":
        errors["subsidy"] = "Choose from the list."
    if draft.roi not in ("yes", "no"):
        errors["roi"] = "Say whether a release of information is on file."
    note = _check_note(draft.note, errors, today=today)
    if errors or size is None:
        raise FormErrors(errors)
    return ReferralFacts(code, size, draft.subsidy or "none", draft.roi == "yes", note)


def check_denial_note(note: str, *, today: date | None = None) -> str:
    """The Deny form's note, cleaned; FormErrors under the note if it is too long or holds personal data (it is
    shown to the case manager and kept with the referral). Called before `decide`, which stores what it is given."""
    errors: dict[str, str] = {}
    checked = _check_note(note, errors, today=today)
    if errors:
        raise FormErrors(errors)
    return checked


def _check_note(raw: str, errors: dict[str, str], *, today: date | None) -> str:
    note = privacy.clean_text(raw).strip()
    if len(note) > NOTE_LIMIT:
        errors["note"] = f"Too long: {len(note)} characters, at most {NOTE_LIMIT}."
    elif found := privacy.check_text(note, field=privacy.FieldKind.NOTE, today=today):
        errors["note"] = found.message
    return note


def refer(
    session: Session,
    vacancy_id: int,
    *,
    facts: ReferralFacts,
    actor: Actor,
    now: datetime,
    board_channel: str,
    deadlines: referral_deadlines.AnswerDeadlines,
) -> Referral:
    """Record a referral; the vacancy becomes referral-pending; the property's managers are asked in its thread.

    The vacancy's row is locked before it is checked, so a withdrawal (or a denial reopening it) cannot slip in
    between the check and the referral: the unit ends live with this referral pending, or gone without it."""
    vacancy = vacancies.get_vacancy(session, vacancy_id, lock=True)
    vacancies.require_live(vacancy, "it can't take referrals")
    referral = Referral(
        vacancy_id=vacancy.id,
        client_code=facts.client_code,
        household_size=facts.household_size,
        subsidy=facts.subsidy,
        roi_on_file=facts.roi_on_file,
        note=facts.note,
        status=ReferralStatus.PENDING,
        created_by=actor.user_id,
        created_by_team=actor.team_id or "",
        created_at=now,
    )
    session.add(referral)
    if vacancy.status == VacancyStatus.OPEN:  # already pending: one more referral does not change the unit
        vacancy.status, vacancy.updated_at, vacancy.version = VacancyStatus.PENDING, now, vacancy.version + 1
    session.flush()
    _audit(session, referral, actor, "referral.made", now)
    vacancies.refresh_cards(session, vacancy, board_channel=board_channel, now=now)
    channels = vacancies.card_channels(session, vacancy, board_channel)
    for channel in channels:
        outbox.enqueue(session, kind=Kind.NOTICE, channel=channel, subject_id=referral.id, now=now)
    # The managers are reminded where they work: the property's shared channel when the card is there too.
    managers_channel = next((c for c in channels if c != board_channel), board_channel)
    referral_deadlines.start(session, referral, deadlines=deadlines, managers_channel=managers_channel, now=now)
    return referral


def get_referral(session: Session, referral_id: int) -> Referral:
    referral = session.get(Referral, referral_id)
    if referral is None:
        raise UserError("That referral no longer exists.")
    return referral


def decide(
    session: Session,
    referral_id: int,
    *,
    outcome: ReferralStatus,
    actor: Actor,
    now: datetime,
    board_channel: str,
    reason: str | None = None,
    note: str = "",
    move_in_on: date | None = None,
) -> Referral:
    """Record an outcome once (compare-and-set); denial reopens the unit, moving in fills it."""
    allowed = {
        ReferralStatus.ACCEPTED: (ReferralStatus.PENDING,),
        ReferralStatus.DENIED: IN_PLAY,
        ReferralStatus.MOVED_IN: IN_PLAY,
    }[outcome]
    if outcome == ReferralStatus.DENIED and reason not in DENIAL_REASONS:
        raise FormErrors({"reason": "Choose a reason."})
    # The unit first, as everything that changes it or its referrals does: a new referral cannot then be made
    # between "no other referral is pending" and the unit reopening.
    vacancies.get_vacancy(session, get_referral(session, referral_id).vacancy_id, lock=True)
    changed = session.execute(
        update(Referral)
        .where(Referral.id == referral_id, Referral.status.in_(allowed))
        .values(
            status=outcome,
            decided_by=actor.user_id,
            decided_at=now,
            denial_reason=reason,
            denial_note=note,
            move_in_on=move_in_on,
        )
        .execution_options(synchronize_session=False)
    )
    referral = get_referral(session, referral_id)
    session.refresh(referral)
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        by = f" by <@{referral.decided_by}>" if referral.decided_by else ""
        raise vacancies.AlreadyDone(f"Referral R-{referral.id} is already {referral.status.replace('_', ' ')}{by}.")
    _audit(session, referral, actor, f"referral.{outcome}", now, reason=reason)
    referral_deadlines.stop(session, referral.id, now=now)  # answered: nobody is reminded about it again
    outbox.enqueue(
        session, kind=vacancies.Kind.REFERRAL_OUTCOME, channel=referral.created_by, subject_id=referral.id, now=now
    )
    if outcome == ReferralStatus.DENIED:
        _reopen_if_no_other(session, referral, actor=actor, now=now, board_channel=board_channel)
    elif outcome == ReferralStatus.MOVED_IN:
        vacancies.change_status(
            session, referral.vacancy_id, allowed_from=vacancies.LIVE, to=VacancyStatus.FILLED, actor=actor,
            now=now, board_channel=board_channel, event=vacancies.Event.MOVED_IN,
        )  # fmt: skip
        outbox.enqueue(session, kind=Kind.CELEBRATE, channel=board_channel, subject_id=referral.vacancy_id, now=now)
    return referral


def _reopen_if_no_other(
    session: Session, referral: Referral, *, actor: Actor, now: datetime, board_channel: str
) -> None:
    others = session.scalar(
        select(Referral.id).where(
            Referral.vacancy_id == referral.vacancy_id,
            Referral.id != referral.id,
            Referral.status.in_(IN_PLAY),
        )
    )
    if others is None:
        with contextlib.suppress(vacancies.AlreadyDone):  # filled or withdrawn meanwhile: it stays as it is
            vacancies.change_status(
                session, referral.vacancy_id, allowed_from=(VacancyStatus.PENDING,), to=VacancyStatus.OPEN,
                actor=actor, now=now, board_channel=board_channel, event=vacancies.Event.REOPENED,
            )  # fmt: skip


def _audit(session: Session, referral: Referral, actor: Actor, action: str, now: datetime, **extra: object) -> None:
    # The client code stays out of the audit detail: exports of the audit log carry no client data.
    audit.record(
        session, actor=actor.user_id, actor_team=actor.team_id, action=action, subject_type="referral",
        subject_id=referral.id, at=now, detail={"vacancy": referral.vacancy_id, "status": referral.status, **extra},
    )  # fmt: skip
