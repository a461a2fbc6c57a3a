"""The vacancy board: open units, soonest first, filtered the way case managers search."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session

from bot.domain.access import WHOLE_BOARD, Reach
from bot.domain.vacancies import ACCESSIBILITY, LIVE, SUBSIDIES
from bot.errors import UserError
from storage.models import Property, Vacancy

PAGE_SIZE = 10
FILTER_HELP = (
    "Filters: `2br` (at least 2 bedrooms), `studio`, `max:1500` (monthly rent), a subsidy (`hcv`, `vash`, `ehv`, "
    "`psh`, `rrh`), `accessible` or a feature (`wheelchair`, `step_free`, …), `area:north`, `property:maple`, "
    "`by:2026-12-15` (available by). Example: `/vacancy list 2br max:1400 hcv`"
)


@dataclass(frozen=True)
class BoardSummary:
    open_units: int
    open_properties: int


@dataclass(frozen=True)
class Filters:
    min_bedrooms: int | None = None
    max_rent_cents: int | None = None
    subsidy: str | None = None
    accessible: str | None = None  # "any" or a feature code
    area: str | None = None
    property: str | None = None
    available_by: date | None = None

    def as_dict(self) -> dict[str, object]:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items() if v is not None}


def parse_filters(text: str) -> Filters:
    """Read `/vacancy list` words into filters; a UserError names any word it does not understand."""
    values: dict[str, object] = {}
    for word in text.lower().split():
        key, _, arg = word.partition(":")
        if m := re.fullmatch(r"(\d{1,2})\+?br", word):
            values["min_bedrooms"] = int(m.group(1))
        elif word == "studio":
            values["min_bedrooms"] = 0
        elif key == "max" and re.fullmatch(r"\$?\d{1,6}", arg):
            values["max_rent_cents"] = int(arg.removeprefix("$")) * 100
        elif word in SUBSIDIES:
            values["subsidy"] = word
        elif word == "accessible":
            values["accessible"] = "any"
        elif word in ACCESSIBILITY:
            values["accessible"] = word
        elif key in ("area", "property") and arg:
            values[key] = arg
        elif key == "by":
            try:
                values["available_by"] = date.fromisoformat(arg)
            except ValueError:
                raise UserError(f"`{word}`: give the date as by:YYYY-MM-DD.") from None
        else:
            raise UserError(f"I don't understand `{word}`. {FILTER_HELP}")
    return Filters(**values)  # type: ignore[arg-type]


def find(
    session: Session, filters: Filters, *, page: int = 0, reach: Reach = WHOLE_BOARD
) -> tuple[list[tuple[Vacancy, str]], int]:
    """One page of matching open vacancies (with their property's area) within `reach`, soonest first, and the
    total: two queries."""
    query = select(Vacancy, func.coalesce(Property.area, "")).outerjoin(Property, Property.id == Vacancy.property_id)
    query = query.where(Vacancy.status.in_(LIVE), *_within(reach))
    if filters.min_bedrooms is not None:
        query = query.where(Vacancy.bedrooms >= filters.min_bedrooms)
    if filters.max_rent_cents is not None:
        query = query.where(Vacancy.rent_cents <= filters.max_rent_cents)
    if filters.subsidy is not None:
        query = query.where(cast(Vacancy.subsidies, String).like(f'%"{filters.subsidy}"%'))
    if filters.accessible == "any":
        query = query.where(cast(Vacancy.accessibility, String).like('%"%'))
    elif filters.accessible is not None:
        query = query.where(cast(Vacancy.accessibility, String).like(f'%"{filters.accessible}"%'))
    if filters.area is not None:
        query = query.where(func.lower(Property.area).contains(filters.area, autoescape=True))
    if filters.property is not None:
        query = query.where(func.lower(Vacancy.property_name).contains(filters.property, autoescape=True))
    if filters.available_by is not None:
        query = query.where(Vacancy.available_on <= filters.available_by)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(Vacancy.available_on, Vacancy.id).offset(page * PAGE_SIZE).limit(PAGE_SIZE)
    ).all()
    return [(row[0], row[1]) for row in rows], total


def summary(session: Session, *, reach: Reach = WHOLE_BOARD) -> BoardSummary:
    """How many units and properties within `reach` are open right now."""
    row = session.execute(
        select(func.count(Vacancy.id), func.count(func.distinct(Vacancy.property_name))).where(
            Vacancy.status.in_(LIVE), *_within(reach)
        )
    ).one()
    return BoardSummary(open_units=row[0], open_properties=row[1])


def _within(reach: Reach) -> list[Any]:
    """The condition that keeps a partner's query to their own company's properties (none for the whole board)."""
    if reach.property_ids is None:
        return []
    return [Vacancy.property_id.in_(sorted(reach.property_ids))]
