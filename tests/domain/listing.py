"""The listing the domain specifications start from: Maple Court, managed by PM and shared in its own channel, with
one open unit a case manager logged on the board."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.domain import properties, vacancies
from bot.domain.actors import Actor

BOARD, SHARED = "C0VACANCIES", "C0MAPLE"
CASE_MANAGER = Actor("U0CASEMGR", "T0PORCH")
PM = Actor("W0MAPLE", "T0MAPLE")


def unit_at(available_on: str) -> vacancies.VacancyDraft:
    return vacancies.VacancyDraft(
        property_name="Maple Court", unit="12B", bedrooms="2", rent="1250", available_on=available_on, contact="Office"
    )


def log_open_unit(session: Session, draft: vacancies.VacancyDraft, *, now: datetime) -> int:
    """Lists Maple Court and logs the unit as CASE_MANAGER; returns the vacancy's id."""
    listing = properties.PropertyDraft(name="Maple Court", managers=(PM.user_id,), shared_channel=SHARED)
    properties.save_property(session, properties.check_property(listing), actor=Actor("U0COORD", None), now=now)
    facts = vacancies.check_vacancy(draft, today=now.date())
    return vacancies.log_vacancy(
        session, facts=facts, actor=CASE_MANAGER, now=now, board_channel=BOARD, reply_channel=None
    ).id
