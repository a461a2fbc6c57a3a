"""Payload parsing is total: a row id is ASCII digits within BIGINT, and a body's shape is judged in one place."""

from __future__ import annotations

import json

import pytest

from bot.errors import UserError
from bot.slack import payloads
from bot.slack.blocks import RowMeta
from bot.slack.blocks.messages import read_page_value


@pytest.mark.parametrize("value", ["1", "42", str(2**63 - 1), 7])
def test_row_ids_are_ascii_digits_within_bigint(value: object) -> None:
    assert payloads.row_id(value) == int(value)  # type: ignore[call-overload]


@pytest.mark.parametrize(
    "value", ["²", "٣", " 7", "1_0", "+1", "-1", "0", str(2**63), "1e30", 1e30, 2**63, True, None, "", "9" * 5000]
)
def test_anything_else_is_refused_as_a_stale_button(value: object) -> None:
    with pytest.raises(UserError):
        payloads.row_id(value)


@pytest.mark.parametrize("row", ["²", 2**63, 1e30, True, "[" * 3000])
def test_private_metadata_with_a_bad_row_id_is_an_out_of_date_form(row: object) -> None:
    raw = row if isinstance(row, str) and row.startswith("[") else json.dumps({"row_id": row})
    with pytest.raises(UserError):
        RowMeta.load(raw)


@pytest.mark.parametrize("value", [json.dumps({"q": "", "p": 1e30}), json.dumps({"q": 1, "p": 0}), "[" * 3000])
def test_a_tampered_page_button_is_refused(value: str) -> None:
    with pytest.raises(UserError):
        read_page_value(value)


CLICK = {"type": "block_actions", "user": {"id": "U1", "team_id": "T1"}, "actions": [{"action_id": "a", "value": "1"}]}


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ({**CLICK, "actions": []}, "actions is not a non-empty list of objects"),
        ({**CLICK, "actions": "vacancy_fill"}, "actions is not a non-empty list of objects"),
        ({**CLICK, "actions": [{"value": "1"}]}, "an action has no action_id"),
        ({**CLICK, "user": "U1"}, "user is missing"),
        ({"type": "view_submission", "user": {"id": "U1"}, "view": "x"}, "view is not an object"),
        ({"type": "view_submission", "user": {"id": "U1"}, "view": {"type": "modal", "callback_id": "c"}},
         "view.state.values is not an object of objects"),
        ({"type": "event_callback", "event": None}, "event is not an object with a type"),
        ({"type": "event_callback", "event": {"type": "message", "user": {"id": "U1"}}}, "event.user is not a string"),
        # A message's team decides whose contact it is; one not a string would lose the whole batch it is written in.
        (
            {"type": "event_callback", "event": {"type": "message", "user_team": ["T1"]}},
            "event.user_team is not a string",
        ),
        ({"type": "event_callback", "event": {"type": "message", "team": 7}}, "event.team is not a string"),
        ({"type": "event_callback", "authorizations": 3, "event": {"type": "message"}},
         "authorizations is not a list of objects"),
        ({"a": json.loads("[" * 40 + "]" * 40)}, "nested too deeply"),
    ],
)  # fmt: skip
def test_a_malformed_body_is_named_in_one_short_phrase(body: dict[str, object], why: str) -> None:
    assert payloads.problem(body) == why


def test_a_sound_click_has_no_problem_and_its_values_read_safely() -> None:
    assert payloads.problem(CLICK) is None
    assert payloads.action_value({**CLICK, "actions": [{"action_id": "a", "value": 1e30}]}) == ""
    assert payloads.input_value({"unit": {"u": "not an element"}}, "unit") == ""
    assert payloads.input_value({"unit": {"u": {"type": "plain_text_input", "value": 12}}}, "unit") == ""


def test_a_submission_is_keyed_by_its_view_and_hash() -> None:
    first = payloads.submission_key({"view": {"id": "V1", "hash": "h1"}})
    assert first is not None and len(first) <= 64  # it lives in the inbound event-id column
    assert first == payloads.submission_key({"view": {"id": "V1", "hash": "h1"}})
    assert first != payloads.submission_key({"view": {"id": "V1", "hash": "h2"}})
    assert payloads.submission_key({"view": {"hash": "h1"}}) is None
