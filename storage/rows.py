"""How many rows a statement changed: compare-and-set results read the same way everywhere."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Result


def changed(result: Result[Any]) -> int:
    """The rows an UPDATE or DELETE matched (a compare-and-set won when this is 1)."""
    return cast("CursorResult[Any]", result).rowcount
