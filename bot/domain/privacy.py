"""Personal data: the one check every free-text field goes through before it is stored or shown.

Cards go to channels that partners see and exports leave the system, so Porchlight keeps unit facts, Slack user
ids and client reference codes, never a resident's details. Each form says what kind of field it is reading
(`FieldKind`) and calls `check_text`; a `Finding` says what was found and what to write instead, shown inline
under the field. `clean_text` runs first, so what is checked is what is stored and shown.

The detector is a set of patterns, not a model: it refuses the shapes people actually type (SSNs in any spacing,
birth dates written or numeric, a person named by their role, phone numbers, emails) and it is tuned as much
for what must pass (rents, unit numbers, bus lines, "Section 8", years, a month and day). docs/privacy.md has
the table of both, kept equal to the tests.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class FieldKind(StrEnum):
    """What a field holds decides what may be in it."""

    NOTE = "note"  # free text about a unit or a referral: nothing personal at all
    LABEL = "label"  # a short name of a place: property, unit, address, area, management company
    CONTACT = "contact"  # a vacancy's leasing contact: a business's phone and email are fine, and only here
    CODE = "code"  # a client reference code: the agency's format, and not a name, SSN or date


class Found(StrEnum):
    """What the detector found; `LABELS` says it in words."""

    SSN = "ssn"
    BIRTH_DATE = "birth_date"
    NAMED_PERSON = "named_person"
    PHONE = "phone"
    EMAIL = "email"
    NOT_A_CODE = "not_a_code"


LABELS = {
    Found.SSN: "a social security number",
    Found.BIRTH_DATE: "a date of birth",
    Found.NAMED_PERSON: "a person's name",
    Found.PHONE: "a phone number",
    Found.EMAIL: "an email address",
    Found.NOT_A_CODE: "something other than a client reference code",
}


@dataclass(frozen=True)
class Finding:
    found: Found
    message: str  # safe to show the person who typed it: it never repeats what they typed


# The agency's client reference code format (PORCHLIGHT_CLIENT_CODE_PATTERN): letters, digits and dashes,
# 3-24 of them, at least one a digit. The whole code must match.
DEFAULT_CODE_PATTERN = r"(?=[A-Za-z-]*[0-9])[A-Za-z0-9-]{3,24}"
DEFAULT_CODE_FORMAT = re.compile(DEFAULT_CODE_PATTERN)
DEFAULT_CODE_WORDS = "3-24 letters, digits and dashes, with at least one digit (e.g. HMIS-0153)"

# -- cleaning -------------------------------------------------------------------------------------------------

# Removed before anything is checked or stored. Bidirectional overrides, isolates and marks reorder text on
# partner cards (U+202E turned a unit's notes around); zero-width characters hide text from this check and from
# readers; NUL makes PostgreSQL refuse the row; other C0/C1 controls have no business in a form. Newline and tab
# stay; a carriage return becomes a newline.
_INVISIBLE = [
    *range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0),  # C0 (not \t \n), DEL, C1
    0x061C, 0x200E, 0x200F,  # bidirectional marks
    *range(0x202A, 0x202F), *range(0x2066, 0x206A),  # bidirectional embeddings, overrides and isolates
    *range(0x200B, 0x200E), *range(0x2060, 0x2065), 0xFEFF,  # zero-width spaces, joiners, word joiner, BOM
]  # fmt: skip
_REMOVE = dict.fromkeys(_INVISIBLE)


def clean_text(text: str) -> str:
    """`text` without invisible and control characters (newlines and tabs kept)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_REMOVE)


# -- what is refused ------------------------------------------------------------------------------------------

_SSN = re.compile(r"(?<!\d)\d{3}([ .-]?)\d{2}\1\d{4}(?!\d)")
# "SSN last 4: 6789", "social security # 6789": the word followed by digits is an SSN, or part of one.
_SSN_WORD = re.compile(
    r"\b(?:ssn|ss\#|social\s+security)(?:\s*(?:number|no\.?|\#|card))?\s*(?:last\s*(?:4|four)(?:\s*digits)?)?"
    r"\s*(?:is|was|of|:|\#|-)?\s*\d",
    re.IGNORECASE,
)

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?"
    r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_MONTH_NUMBER = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
)}  # fmt: skip
# A date with its year. Month and day alone ("available 12/01") is how units' dates are written, and passes.
# Not inside a longer run of numbers: "12/01-12/15" is two months and days, not a date in 2012.
_NUMERIC_DATE = re.compile(r"(?<!\d)(?<!\d[/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?!\d)(?![/.-]\d)")
_ISO_DATE = re.compile(r"(?<!\d)(?<!\d[/.-])(\d{4})([/.-])(\d{1,2})\2(\d{1,2})(?!\d)(?![/.-]\d)")
_WRITTEN_DATE = re.compile(
    rf"\b(?:(?P<m1>{_MONTH})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{{4}})"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH})\.?,?\s+(?P<y2>\d{{4}}))\b",
    re.IGNORECASE,
)
# "DOB", "D.O.B.", "born", "date of birth" followed by anything date-like (a digit or a month): even a year or a
# month alone says when a person was born. The word alone ("DOB not needed", "born and raised") passes.
_BIRTH_WORD = re.compile(
    rf"(?<![\w.])(?:d\.?\s?o\.?\s?b\b\.?|date\s+of\s+birth|birth\s*date|birthday|b-?day|born(?:\s+(?:on|in))?)"
    rf"(?![\w])\s*(?:is\s+|was\s+)?[:#-]?\s*(?=\d|{_MONTH}\b)",
    re.IGNORECASE,
)

# A person named by who they are in the household or the referral: the role, then a capitalised word.
_RESIDENT_ROLES = (
    r"tenant|resident|client|applicant|participant|household\s+member|member\s+of\s+(?:the\s+)?household"
    r"|head\s+of\s+(?:the\s+)?household|family\s+member|spouse|wife|husband|son|daughter|child|kid|mother|father"
)
_NAMED_RESIDENT = re.compile(
    rf"\b(?i:{_RESIDENT_ROLES})(?i:s|'s|\u2019s)?(?:\s+(?i:name))?(?:\s*[:,-]\s*|\s+(?i:is|named|called)\s+|\s+)"
    r"(?P<name>[^\W\d_][\w'\u2019-]*)"
)
# Outside the leasing contact, anyone named is refused: "ask for Maria Lopez", "Ms. Lopez", "her name is Maria".
_NAMED_ANYONE = re.compile(
    r"(?:\b(?i:ask\s+for|named|name\s+is)\s+|\b(?i:name)\s*:\s*|\b(?:Mr|Mrs|Ms|Miss|Mx)\.?\s+)"
    r"(?P<name>[^\W\d_][\w'\u2019-]*)"
)
# Capitalised words that follow a role without naming anyone ("Client Services", "Resident Portal").
_NOT_NAMES = frozenset((
    "a", "an", "and", "or", "the", "this", "that", "these", "those", "to", "of", "in", "on", "at", "for", "with",
    "by", "from", "no", "not", "all", "any", "each", "every", "only", "must", "may", "can", "will", "should",
    "needs", "need", "has", "have", "had", "is", "are", "was", "were", "pays", "pay", "gets", "services", "service",
    "portal", "office", "agreement", "handbook", "application", "applications", "manager", "management",
    "coordinator", "section", "unit", "units", "welcome", "preferred", "parking", "lounge", "center", "centre",
    "referral", "referrals", "please", "leasing", "front", "desk", "staff", "maintenance", "property", "building",
    "concierge", "rent", "rents", "income", "voucher", "vouchers", "screening", "portion", "share", "responsible",
    "club", "suites", "apartments", "homes", "house", "hall", "court", "place", "village", "tower", "towers",
    "commons", "gardens",
))  # fmt: skip

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_US_PHONE = re.compile(r"(?<![\d+])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-]?)\d{3}[\s.-]?\d{4}(?!\d)")
_INTERNATIONAL_PHONE = re.compile(r"\+\d[\d\s().-]{6,22}\d")
# Seven digits are a phone number only after a word that says so: "$950-1100" is a rent range.
_LOCAL_PHONE = re.compile(
    r"\b(?:call|text|phone|cell|mobile|tel|ph|number|reach)\b\D{0,15}(?<![\d.-])\d{3}[.-]\d{4}(?![\d-])", re.IGNORECASE
)

_WORDS = re.compile(r"[^\W\d_]+")
_EIGHT_DIGITS = re.compile(r"(?<!\d)\d{8}(?!\d)")


def check_text(
    text: str, *, field: FieldKind, today: date | None = None, code_format: re.Pattern[str] = DEFAULT_CODE_FORMAT
) -> Finding | None:
    """What personal data `text` holds for a field of this kind, with what to write instead; None if it is fine.

    `today` tells a recent date (a lease that ended last month) from a birth date: a full date whose year is
    before last year is taken for a date of birth. Without `today`, every full date is. `code_format` is the
    agency's client code format, for `FieldKind.CODE`.
    """
    # Compatibility forms (full-width digits, ligatures) are folded so they cannot slip past the patterns.
    seen = unicodedata.normalize("NFKC", clean_text(text))
    found = _personal(seen, field=field, today=today)
    if found is None and field is FieldKind.CODE and not code_format.fullmatch(seen.strip()):
        found = Found.NOT_A_CODE
    if found is None:
        return None
    return Finding(found, _message(found, field, code_format))


def check_fields(
    texts: Mapping[str, str], kinds: Mapping[str, FieldKind], *, errors: dict[str, str], today: date | None = None
) -> None:
    """Add to `errors` a message for every field of `kinds` whose text holds personal data (one per field; a
    field that already has an error keeps it)."""
    for name, kind in kinds.items():
        if name not in errors and (finding := check_text(texts[name], field=kind, today=today)):
            errors[name] = finding.message


def _personal(text: str, *, field: FieldKind, today: date | None) -> Found | None:
    contact_details = [_EMAIL, _INTERNATIONAL_PHONE, _US_PHONE, _LOCAL_PHONE]
    if field is FieldKind.CONTACT:
        # A leasing office's number or email is the point of this field; blank them out so that their digits
        # are not read as an SSN or a date.
        for pattern in contact_details:
            text = pattern.sub(" ", text)
    if _SSN.search(text) or _SSN_WORD.search(text):
        return Found.SSN
    if _BIRTH_WORD.search(text) or _has_birth_date(text, today=None if field is FieldKind.CODE else today):
        return Found.BIRTH_DATE
    if field is FieldKind.CODE and _compact_date(text):
        return Found.BIRTH_DATE
    if _names(_NAMED_RESIDENT, text) or (field is not FieldKind.CONTACT and _names(_NAMED_ANYONE, text)):
        return Found.NAMED_PERSON
    if field is not FieldKind.CONTACT:
        if _EMAIL.search(text):
            return Found.EMAIL
        if _phone_digits(text):
            return Found.PHONE
    if field is FieldKind.CODE and _looks_like_a_name(text):
        return Found.NAMED_PERSON
    return None


def _names(pattern: re.Pattern[str], text: str) -> bool:
    for match in pattern.finditer(text):
        word = match.group("name")
        # A name is capitalised and not an acronym ("HCV", "ROI") or a common word.
        if word[0].isupper() and not word.isupper() and word.lower() not in _NOT_NAMES:
            return True
    return False


def _looks_like_a_name(code: str) -> bool:
    """An agency's code is capitals and digits ("HMIS-0153", "cm-204"); a word of four letters or more in mixed or
    lower case ("JaneDoe1990", "maria-1990") is somebody's name."""
    return any(len(word) >= 4 and not word.isupper() for word in _WORDS.findall(code))


def _phone_digits(text: str) -> bool:
    for pattern in (_INTERNATIONAL_PHONE, _US_PHONE, _LOCAL_PHONE):
        for match in pattern.finditer(text):
            digits = sum(ch.isdigit() for ch in match.group())
            if pattern is not _INTERNATIONAL_PHONE or 8 <= digits <= 15:
                return True
    return False


def _has_birth_date(text: str, *, today: date | None) -> bool:
    """A full date (day, month and year) in `text` that could be someone's birth date."""
    return any(today is None or year < today.year - 1 for year in _full_date_years(text, today))


def _full_date_years(text: str, today: date | None) -> list[int]:
    years = []
    for match in _NUMERIC_DATE.finditer(text):
        first, second, year = int(match.group(1)), int(match.group(3)), _year(match.group(4), today)
        if _valid(year, first, second) or _valid(year, second, first):  # 04/05 is April 5 or 4 May
            years.append(year)
    for match in _ISO_DATE.finditer(text):
        year, month, day = int(match.group(1)), int(match.group(3)), int(match.group(4))
        if _valid(year, month, day):
            years.append(year)
    for match in _WRITTEN_DATE.finditer(text):
        month_name, day_digits, year_digits = (
            match.group("m1", "d1", "y1") if match.group("m1") else match.group("m2", "d2", "y2")
        )
        if _valid(int(year_digits), _MONTH_NUMBER[month_name[:3].lower()], int(day_digits)):
            years.append(int(year_digits))
    return years


def _compact_date(code: str) -> bool:
    """Eight digits in a code that read as a date, MMDDYYYY or YYYYMMDD (a birth date typed as a code)."""
    for match in _EIGHT_DIGITS.finditer(code):
        digits = match.group()
        month, day, year = int(digits[:2]), int(digits[2:4]), int(digits[4:])
        if 1900 <= year <= 2099 and _valid(year, month, day):
            return True
        year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:])
        if 1900 <= year <= 2099 and _valid(year, month, day):
            return True
    return False


def _year(digits: str, today: date | None) -> int:
    if len(digits) == 4:
        return int(digits)
    # Two digits: this century up to next year, otherwise the last one ("4/5/90" is 1990).
    pivot = (today.year + 1) % 100 if today else 30
    return 2000 + int(digits) if int(digits) <= pivot else 1900 + int(digits)


def _valid(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


# -- what to write instead ------------------------------------------------------------------------------------

_INSTEAD = {
    Found.SSN: "Never enter a social security number in Porchlight; remove it.",
    Found.BIRTH_DATE: "Leave birth dates out. For a date about the unit, write the month and day (e.g. 12/01).",
    Found.NAMED_PERSON: "Refer to people by their role (“the tenant”, “the client”): names stay in your agency's "
    "records, and the leasing office's staff go in the vacancy's Leasing contact field.",
    Found.PHONE: "Keep personal contact details out; a leasing office's number goes in the vacancy's Leasing "
    "contact field.",
    Found.EMAIL: "Keep personal contact details out; a leasing office's email goes in the vacancy's Leasing "
    "contact field.",
}


def _message(found: Found, field: FieldKind, code_format: re.Pattern[str]) -> str:
    if field is FieldKind.CODE:
        words = DEFAULT_CODE_WORDS if code_format.pattern == DEFAULT_CODE_PATTERN else "in your agency's format"
        if found is Found.NOT_A_CODE:
            return f"Enter your agency's client reference code: {words}."
        return (
            f"That looks like {LABELS[found]}, not a client reference code. Enter the code from your agency's "
            f"records ({words}), never a name, SSN or birth date."
        )
    if field is FieldKind.CONTACT and found is Found.NAMED_PERSON:
        return (
            "That names a resident. The leasing contact is the leasing office or its staff, never a tenant or client."
        )
    return f"That looks like {LABELS[found]}. {_INSTEAD[found]}"
