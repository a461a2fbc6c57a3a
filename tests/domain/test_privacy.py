"""The personal-data detector: what it refuses and what it lets through, for each kind of field.

REFUSED and ACCEPTED are the specification. docs/privacy.md shows the same table, and a test below keeps the two
equal: a case added here must be added there, and the other way round.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from bot.domain import privacy, properties, referrals, vacancies
from bot.domain.privacy import FieldKind, Found, check_text, clean_text
from bot.errors import FormErrors, SettingsError
from bot.settings import load_settings

TODAY = date(2026, 11, 23)
DOC = Path(__file__).resolve().parents[2] / "docs" / "privacy.md"
NOTE, CONTACT, LABEL, CODE = FieldKind.NOTE, FieldKind.CONTACT, FieldKind.LABEL, FieldKind.CODE

REFUSED: list[tuple[FieldKind, str, Found]] = [
    # Social security numbers, in any spacing, and their last four after the word.
    (NOTE, "123-45-6789", Found.SSN),
    (NOTE, "123 45 6789", Found.SSN),
    (NOTE, "123456789", Found.SSN),
    (NOTE, "SSN 123 45 6789", Found.SSN),
    (NOTE, "SSN last 4: 6789", Found.SSN),
    (NOTE, "１２３-４５-６７８９", Found.SSN),  # full-width digits  # noqa: RUF001
    (NOTE, "123\u200b-45-6789", Found.SSN),  # a zero-width space does not hide it
    # Dates of birth: numeric and written, with or without the word; a full date from before last year.
    (NOTE, "04-05-1990", Found.BIRTH_DATE),
    (NOTE, "4/5/90", Found.BIRTH_DATE),
    (NOTE, "D.O.B. April 5, 1990", Found.BIRTH_DATE),
    (NOTE, "born 5 April 1990", Found.BIRTH_DATE),
    (NOTE, "DOB: 1990-04-05", Found.BIRTH_DATE),
    (NOTE, "1990-04-05", Found.BIRTH_DATE),
    (NOTE, "born 1990", Found.BIRTH_DATE),
    (NOTE, "dob 3/4/2026", Found.BIRTH_DATE),
    # A person named by their role, or asked for by name.
    (NOTE, "ask for Maria Lopez", Found.NAMED_PERSON),
    (NOTE, "tenant John Smith", Found.NAMED_PERSON),
    (NOTE, "client: Jane Doe", Found.NAMED_PERSON),
    (NOTE, "resident Maria", Found.NAMED_PERSON),
    (NOTE, "household member Jose", Found.NAMED_PERSON),
    (NOTE, "her name is Maria", Found.NAMED_PERSON),
    (NOTE, "Ms. Lopez will call", Found.NAMED_PERSON),
    # Phone numbers (US and international) and email addresses, anywhere but the leasing contact.
    (NOTE, "call 555-123-4567", Found.PHONE),
    (NOTE, "(555) 010-0199", Found.PHONE),
    (NOTE, "+44 20 7946 0958", Found.PHONE),
    (NOTE, "text her at 555-0199", Found.PHONE),
    (NOTE, "maria.lopez@example.com", Found.EMAIL),
    # The leasing contact is a business's: still no SSN, birth date or resident there.
    (CONTACT, "tenant John Smith, 555-010-0199", Found.NAMED_PERSON),
    (CONTACT, "SSN 123-45-6789", Found.SSN),
    (CONTACT, "DOB 4/5/90", Found.BIRTH_DATE),
    # Names of places: property, unit, address, area, company.
    (LABEL, "Unit of tenant Maria Lopez", Found.NAMED_PERSON),
    (LABEL, "Maple Court 555-010-0199", Found.PHONE),
    # Client reference codes: the agency's format, and never a name, SSN, date or contact detail.
    (CODE, "123456789", Found.SSN),
    (CODE, "123-45-6789", Found.SSN),
    (CODE, "JaneDoe1990", Found.NAMED_PERSON),
    (CODE, "John Smith", Found.NAMED_PERSON),
    (CODE, "maria-1990", Found.NAMED_PERSON),
    (CODE, "04051990", Found.BIRTH_DATE),
    (CODE, "1990-04-05", Found.BIRTH_DATE),
    (CODE, "HMIS-2024-01-15", Found.BIRTH_DATE),  # in a code, any full date
    (CODE, "4/5/90", Found.BIRTH_DATE),
    (CODE, "555-010-0199", Found.PHONE),
    (CODE, "jd@example.com", Found.EMAIL),
    (CODE, "AB", Found.NOT_A_CODE),
    (CODE, "HMIS", Found.NOT_A_CODE),
    (CODE, "CM_204", Found.NOT_A_CODE),
]

ACCEPTED: list[tuple[FieldKind, str]] = [
    (NOTE, "2BR near bus line 12"),
    (NOTE, "Section 8 welcome"),
    (NOTE, "available 12/01"),
    (NOTE, "available 12/01-12/15"),
    (NOTE, "Maple Court #4B"),
    (NOTE, "rent $1,250, deposit $500"),
    (NOTE, "rent range $950-1100"),
    (NOTE, "call the leasing office"),
    (NOTE, "HCV 2024 payment standard"),
    (NOTE, "built 1990"),
    (NOTE, "lease ended 03/01/2026"),  # a recent date is not a birth date
    (NOTE, "No SSN required"),
    (NOTE, "DOB not needed at application"),
    (NOTE, "Resident Services office on site"),
    (NOTE, "Tenant pays electric"),
    (NOTE, "Near Osborne Ave, 2nd floor"),
    (NOTE, "Units 101-105 open"),
    (NOTE, "Income limit 60% AMI"),
    (NOTE, "Client Services: HMIS-2024-0153"),
    (CONTACT, "Leasing office (555) 010-0199"),
    (CONTACT, "Leasing office 555-0100"),
    (CONTACT, "leasing@maplecourt.example, 555-0100"),
    (CONTACT, "+44 20 7946 0958 (leasing office)"),
    (CONTACT, "Ask for Maria at the leasing office"),
    (CONTACT, "Ms. Lopez, leasing manager"),
    (LABEL, "Maple Court"),
    (LABEL, "Maple Court #4B"),
    (LABEL, "12B"),
    (LABEL, "100 Maple Ave"),
    (LABEL, "123 Oak Dr Apt 4"),
    (LABEL, "1234 W 56th St, Chicago IL 60614-1234"),
    (LABEL, "The Residences at Oak Park"),
    (LABEL, "Maple Management"),
    (CODE, "CM-20431"),
    (CODE, "HMIS-2024-0153"),
    (CODE, "AB-1234"),
    (CODE, "c-00123"),
    (CODE, "12345"),
]


@pytest.mark.parametrize(("field", "text", "found"), REFUSED)
def test_refused(field: FieldKind, text: str, found: Found) -> None:
    finding = check_text(text, field=field, today=TODAY)
    assert finding is not None, f"{text!r} passed as a {field}"
    assert finding.found is found


@pytest.mark.parametrize(("field", "text"), ACCEPTED)
def test_accepted(field: FieldKind, text: str) -> None:
    assert check_text(text, field=field, today=TODAY) is None


@pytest.mark.parametrize(("field", "text", "found"), REFUSED)
def test_the_message_says_what_was_found_and_what_to_write_instead_without_repeating_it(
    field: FieldKind, text: str, found: Found
) -> None:
    finding = check_text(text, field=field, today=TODAY)
    assert finding is not None
    message = finding.message
    if found is not Found.NOT_A_CODE:
        # "That names a resident" on the leasing contact; "That looks like <what>" everywhere else.
        assert privacy.LABELS[found] in message or "names a resident" in message
        assert text not in message
    assert len(message.split(". ")) >= 2 or message.startswith("Enter your agency's")  # found, then instead


def test_the_messages_for_each_field_say_what_belongs_there() -> None:
    assert "Leasing contact field" in check_text("call 555-123-4567", field=NOTE).message  # type: ignore[union-attr]
    assert "never a tenant or client" in check_text("tenant John Smith", field=CONTACT).message  # type: ignore[union-attr]
    code = check_text("JaneDoe1990", field=CODE)
    assert code is not None and "not a client reference code" in code.message and "HMIS-0153" in code.message


def test_without_today_every_full_date_is_taken_for_a_birth_date() -> None:
    assert check_text("lease ended 03/01/2026", field=NOTE, today=TODAY) is None
    assert check_text("lease ended 03/01/2026", field=NOTE) is not None  # no date to tell recent from old
    assert check_text("available 12/01", field=NOTE) is None  # a month and day is never a birth date alone


def test_the_docs_table_is_the_tested_table() -> None:
    """docs/privacy.md shows exactly the cases above, with the same results."""
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in DOC.read_text(encoding="utf-8").splitlines()
        if line.startswith("| ") and line.split("|")[2].strip().startswith("`")
    ]
    documented = [(kind, text.strip("`"), result) for kind, text, result in rows]
    expected = [(str(f), shown(t), f"refused: {privacy.LABELS[found]}") for f, t, found in REFUSED]
    expected += [(str(f), shown(t), "accepted") for f, t in ACCEPTED]
    assert documented == expected


def shown(text: str) -> str:
    """How the docs write a case: invisible characters as <U+XXXX>."""
    return "".join(f"<U+{ord(ch):04X}>" if clean_text(ch) != ch else ch for ch in text)


# -- cleaning -----------------------------------------------------------------------------------------------

INVISIBLE = [
    *[chr(c) for c in range(0x202A, 0x202F)],  # bidirectional embeddings and overrides (U+202E reverses text)
    *[chr(c) for c in range(0x2066, 0x206A)],  # bidirectional isolates
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff",  # zero-width characters
    "\x00", "\x01", "\x1b", "\x7f",  # NUL (PostgreSQL refuses the row), other controls
]  # fmt: skip


@pytest.mark.parametrize("char", INVISIBLE, ids=lambda ch: f"U+{ord(ch):04X}")
def test_invisible_and_control_characters_are_removed(char: str) -> None:
    assert clean_text(f"Near{char} the park") == "Near the park"


def test_newlines_and_tabs_stay_and_a_carriage_return_becomes_a_newline() -> None:
    assert clean_text("Line one\r\nLine two\rthree\tfour\n") == "Line one\nLine two\nthree\tfour\n"


# -- every form goes through it ----------------------------------------------------------------------------

DRAFT = vacancies.VacancyDraft(
    property_name="Maple Court", unit="12B", bedrooms="2", rent="1250", available_on="2026-12-01",
    contact="Leasing office (555) 010-0199", notes="2BR near bus line 12",
)  # fmt: skip


def vacancy_errors(**changes: str) -> dict[str, str]:
    with pytest.raises(FormErrors) as caught:
        vacancies.check_vacancy(vacancies.VacancyDraft(**{**DRAFT.__dict__, **changes}), today=TODAY)
    return caught.value.errors


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("notes", "Ask for Maria Lopez, 555-123-4567, DOB 4/5/90"),
        ("screening_notes", "tenant John Smith has an eviction"),
        ("contact", "resident Maria Lopez"),
        ("unit", "123-45-6789"),
        ("property_name", "tenant Jane Doe's place"),
    ],
)
def test_every_text_of_a_vacancy_is_checked_under_its_own_field(field: str, text: str) -> None:
    assert list(vacancy_errors(**{field: text})) == [field]


def test_a_vacancy_comes_back_cleaned_and_its_leasing_office_number_is_fine() -> None:
    facts = vacancies.check_vacancy(vacancies.VacancyDraft(**{**DRAFT.__dict__, "notes": "\u202eNear\x00 park"}),
                                    today=TODAY)  # fmt: skip
    assert facts.notes == "Near park"
    assert facts.contact == "Leasing office (555) 010-0199"


def test_a_referral_code_and_note_are_checked() -> None:
    draft = referrals.ReferralDraft(client_code="123456789", household_size="2", roi="no", note="SSN 123 45 6789")
    with pytest.raises(FormErrors) as caught:
        referrals.check_referral(draft, today=TODAY)
    assert set(caught.value.errors) == {"client_code", "note"}
    assert "social security number" in caught.value.errors["client_code"]
    facts = referrals.check_referral(
        referrals.ReferralDraft(client_code="CM-20431\u200b", household_size="2", roi="no", note="Needs step-free"),
        today=TODAY,
    )
    assert (facts.client_code, facts.note) == ("CM-20431", "Needs step-free")


def test_the_agency_sets_its_code_format() -> None:
    agency = re.compile(r"HMIS-\d{6}")
    assert check_text("HMIS-204311", field=CODE, code_format=agency) is None
    finding = check_text("CM-20431", field=CODE, code_format=agency)
    assert finding is not None and finding.found is Found.NOT_A_CODE
    assert "your agency's format" in finding.message
    # Its format does not let personal data through.
    assert check_text("123456789", field=CODE, code_format=re.compile(r"\d+")) is not None


def test_the_denial_note_is_checked_before_it_is_stored() -> None:
    with pytest.raises(FormErrors) as caught:
        referrals.check_denial_note("client: Jane Doe never called back", today=TODAY)
    assert list(caught.value.errors) == ["note"]
    assert referrals.check_denial_note("  no response after\u200b two calls ", today=TODAY) == (
        "no response after two calls"
    )


def test_a_property_is_checked_and_cleaned() -> None:
    with pytest.raises(FormErrors) as caught:
        properties.check_property(properties.PropertyDraft(name="Maple Court", address="resident Maria Lopez"))
    assert list(caught.value.errors) == ["address"]
    draft = properties.check_property(properties.PropertyDraft(name="Maple\u202e Court", address="100 Maple Ave"))
    assert draft.name == "Maple Court"


# -- the setting --------------------------------------------------------------------------------------------


def test_the_code_format_setting_defaults_to_the_domains() -> None:
    settings = load_settings(None)
    assert settings.client_code_format.pattern == privacy.DEFAULT_CODE_PATTERN
    assert load_settings(None, PORCHLIGHT_CLIENT_CODE_PATTERN=r"HMIS-\d{6}").client_code_format.fullmatch("HMIS-204311")


def test_a_bad_code_format_is_one_clear_settings_line() -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings(None, PORCHLIGHT_CLIENT_CODE_PATTERN="([A-Z")
    [line] = caught.value.problems
    assert line.startswith("PORCHLIGHT_CLIENT_CODE_PATTERN: ")
    assert "not a regular expression" in line
