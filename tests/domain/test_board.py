"""The board answers with a constant number of queries, whatever its size; filters narrow it as people expect."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from bench.seed import seed
from bot.domain import board
from bot.errors import UserError


def queries_for(engine: Engine, session_factory: sessionmaker[Session], filters: board.Filters) -> tuple[int, int]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        with session_factory() as session:
            found, total = board.find(session, filters, page=1)
            assert len(found) == board.PAGE_SIZE
            total_pages = total
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len([s for s in statements if s.lstrip().upper().startswith("SELECT")]), total_pages


def test_constant_queries_whatever_the_size(engine: Engine, session_factory: sessionmaker[Session]) -> None:
    seed(engine, vacancies=60, referrals=200, properties=5)
    small, _ = queries_for(engine, session_factory, board.Filters())
    with engine.begin() as conn:  # then a much larger board
        conn.exec_driver_sql("DELETE FROM referral")
        conn.exec_driver_sql("DELETE FROM vacancy")
        conn.exec_driver_sql("DELETE FROM property")
    seed(engine, vacancies=2000, referrals=8000, properties=50)
    large, total = queries_for(engine, session_factory, board.Filters(min_bedrooms=1, subsidy="hcv"))
    assert small == large == 2  # one count, one page
    assert total > board.PAGE_SIZE


def test_filters_read_the_way_case_managers_type() -> None:
    parsed = board.parse_filters("2br max:1400 hcv accessible area:north by:2026-12-15 property:maple")
    assert parsed == board.Filters(min_bedrooms=2, max_rent_cents=140_000, subsidy="hcv", accessible="any",
                                   area="north", property="maple", available_by=date(2026, 12, 15))  # fmt: skip
    with pytest.raises(UserError, match="by:YYYY-MM-DD"):
        board.parse_filters("by:soon")
