"""The vacancy board as a whole: counts for the Home tab."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Vacancy


@dataclass(frozen=True)
class BoardSummary:
    open_units: int
    open_properties: int


def summary(session: Session) -> BoardSummary:
    """How many units and properties are open right now."""
    row = session.execute(
        select(func.count(Vacancy.id), func.count(func.distinct(Vacancy.property_name))).where(Vacancy.status == "open")
    ).one()
    return BoardSummary(open_units=row[0], open_properties=row[1])
