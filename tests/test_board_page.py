"""The board's ephemeral page: counted in words a person would write, paged with buttons."""

from __future__ import annotations

from datetime import date

from bot.slack.blocks.messages import board_page
from storage.models import Vacancy


def units(n: int) -> list[tuple[Vacancy, str]]:
    return [
        (Vacancy(id=i, bedrooms=2, property_name="Maple Court", unit=str(i), rent_cents=125000, status="open",
                 available_on=date(2026, 12, 1), subsidies=[], accessibility=[]), "Northside")
        for i in range(1, n + 1)
    ]  # fmt: skip


def buttons(blocks: list[dict]) -> list[str]:
    return [e["text"]["text"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


def test_one_unit_is_one_open_vacancy() -> None:
    text, blocks = board_page(units(1), total=1, page=0, page_size=10, query="")
    assert text == "1 open vacancy"
    assert blocks[0]["text"]["text"] == "*1 open vacancy*"
    assert buttons(blocks) == []


def test_a_whole_list_on_one_page_is_counted() -> None:
    text, blocks = board_page(units(3), total=3, page=0, page_size=10, query="")
    assert text == "3 open vacancies"
    assert blocks[0]["text"]["text"] == "*3 open vacancies*, soonest first"


def test_a_middle_page_says_which_part_and_pages_both_ways() -> None:
    text, blocks = board_page(units(10), total=30, page=1, page_size=10, query="2br")
    assert text == "30 open vacancies"
    assert blocks[0]["text"]["text"] == "*Open vacancies 11 to 20 of 30*, soonest first"
    assert buttons(blocks) == ["Previous", "Next"]


def test_nothing_found_says_so() -> None:
    text, _ = board_page([], total=0, page=0, page_size=10, query="5br")
    assert text == "No open vacancies match."
