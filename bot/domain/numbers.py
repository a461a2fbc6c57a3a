"""Whole numbers from forms (a choice's value, a typed count), read strictly.

`str.isdigit()` is True for '²' and '٣': int() refuses the first (a ValueError, so a traceback where the person
should have read "choose from the list") and reads the second as another script's 3. int() also takes ' 7',
'+7' and '1_0'. A number a form sends is ASCII digits and nothing else; anything else is the field's error.
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]{1,19}")
# Row ids are BIGINT: a larger id would fail in the database (PostgreSQL: out of range), not as a form error.
MAX_ROW_ID = 2**63 - 1


def whole_number(value: object, *, low: int = 0, high: int = MAX_ROW_ID) -> int | None:
    """`value` as an int when it is a string of ASCII digits within [low, high]; None for anything else."""
    if not isinstance(value, str) or not _DIGITS.fullmatch(value):
        return None
    number = int(value)
    return number if low <= number <= high else None


def row_id(value: object) -> int | None:
    """A row id chosen in a form (a select's value), or None."""
    return whole_number(value, low=1)
