"""CSV exports for the coordinator's reports: unit facts and outcomes, never client codes or free-text notes."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain import escalations
from storage.models import Referral, Vacancy

VACANCY_COLUMNS = (
    "vacancy_id", "property", "unit", "bedrooms", "monthly_rent", "available_on", "subsidies", "accessibility",
    "screening", "status", "logged_at", "last_confirmed_at",
)  # fmt: skip
# The client code, household note and denial note stay out: exports leave the system.
REFERRAL_COLUMNS = (
    "referral_id", "vacancy_id", "property", "unit", "household_size", "subsidy", "roi_on_file", "status",
    "denial_reason", "move_in_on", "referred_at", "decided_at",
)  # fmt: skip


def _vacancies(session: Session) -> Iterator[list[object]]:
    for v in session.scalars(select(Vacancy).order_by(Vacancy.id).execution_options(yield_per=500)):
        yield [
            v.id, v.property_name, v.unit, v.bedrooms, f"{v.rent_cents / 100:.2f}", v.available_on.isoformat(),
            ";".join(v.subsidies), ";".join(v.accessibility), ";".join(v.screening), v.status,
            v.created_at.isoformat(), v.last_confirmed_at.isoformat(),
        ]  # fmt: skip


def _referrals(session: Session) -> Iterator[list[object]]:
    query = (
        select(Referral, Vacancy.property_name, Vacancy.unit)
        .join(Vacancy, Vacancy.id == Referral.vacancy_id)
        .order_by(Referral.id)
        .execution_options(yield_per=500)
    )
    for r, prop, unit in session.execute(query):
        yield [
            r.id, r.vacancy_id, prop, unit, r.household_size, r.subsidy, "yes" if r.roi_on_file else "no", r.status,
            r.denial_reason or "", r.move_in_on.isoformat() if r.move_in_on else "", r.created_at.isoformat(),
            r.decided_at.isoformat() if r.decided_at else "",
        ]  # fmt: skip


EXPORTS = {
    "vacancies": (VACANCY_COLUMNS, _vacancies),
    "referrals": (REFERRAL_COLUMNS, _referrals),
    "escalations": (escalations.EXPORT_COLUMNS, escalations.export_rows),
}


def write_csv(session: Session, what: str, out: IO[str]) -> int:
    """Write one export as CSV; returns the number of rows."""
    columns, rows = EXPORTS[what]
    writer = csv.writer(out)
    writer.writerow(columns)
    count = 0
    for row in rows(session):
        writer.writerow([_safe(cell) for cell in row])
        count += 1
    return count


def _safe(cell: object) -> object:
    """Keep spreadsheet programs from running a cell as a formula (CSV injection)."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell
