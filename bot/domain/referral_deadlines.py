"""The answer a referral is promised: the property's managers are reminded at 24 business hours, the
coordinators told at 48 (the domain documents' rule: respond to each other within 24-48 hours).

Both reminders start in the transaction that makes the referral and finish in the one that decides it (or takes
the unit off the board), so neither is ever sent about a referral someone already answered. The reminder kinds
check again when they fall due.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.domain import people
from bot.domain.statuses import LIVE, ReferralStatus
from bot.domain.working_time import WorkingHours
from storage import reminders
from storage.models import Referral, Vacancy

SUBJECT = "referral"
REMIND_AFTER_HOURS = 24
TELL_AFTER_HOURS = 48


class Due(StrEnum):
    """Reminder kinds (storage.reminders rows; jobs/features/referrals.py delivers them)."""

    REMIND_MANAGERS = "referral.answer_due"  # the property's managers, in the card's thread
    TELL_COORDINATORS = "referral.answer_overdue"  # each coordinator, by DM


class Kind(StrEnum):
    """Outbox kinds: what a due reminder becomes."""

    REMIND_POST = "referral.remind"  # the reminder in the card's thread
    OVERDUE_DM = "referral.overdue"  # a coordinator told, by DM


@dataclass(frozen=True)
class AnswerDeadlines:
    """How the promise is kept: whose working time counts, and who is told when it is broken."""

    hours: WorkingHours
    zone: ZoneInfo  # the community's: the deadlines count in it (each coordinator is told in their own)
    coordinators: Sequence[str]


def start(
    session: Session, referral: Referral, *, deadlines: AnswerDeadlines, managers_channel: str, now: datetime
) -> None:
    """Start both reminders of a new referral. `managers_channel` is where its card's thread asks the managers."""
    hours, zone = deadlines.hours, deadlines.zone
    remind_at = hours.add_business_hours(now, REMIND_AFTER_HOURS, zone)
    tell_at = hours.add_business_hours(now, TELL_AFTER_HOURS, zone)
    reminders.add(
        session, kind=Due.REMIND_MANAGERS, subject_type=SUBJECT, subject_id=referral.id, recipient=managers_channel,
        zone=zone.key, due_at=remind_at, now=now,
    )  # fmt: skip
    # Each coordinator's DM waits for the start of their own working day, in their Slack zone (bot.domain.people).
    zones = people.zones_of(session, deadlines.coordinators, fallback=zone)
    for coordinator in deadlines.coordinators:
        reminders.add(
            session, kind=Due.TELL_COORDINATORS, subject_type=SUBJECT, subject_id=referral.id, recipient=coordinator,
            zone=zones[coordinator].key, due_at=hours.next_working_moment(tell_at, zones[coordinator]), now=now,
        )  # fmt: skip


def stop(session: Session, referral_id: int, *, now: datetime) -> None:
    """The referral has its answer (or its unit left the board): nobody is reminded about it again."""
    reminders.finish(session, subject_type=SUBJECT, subject_id=referral_id, now=now)


def still_waiting(session: Session, referral_id: int) -> bool:
    """True while the referral is unanswered and its unit is still on the board."""
    referral = session.get(Referral, referral_id)
    if referral is None or referral.status != ReferralStatus.PENDING:  # accepted or denied: it has its answer
        return False
    vacancy = session.get(Vacancy, referral.vacancy_id)
    return vacancy is not None and vacancy.status in LIVE
