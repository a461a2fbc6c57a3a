"""Slack's known-answer vector: the endpoint's verifier agrees with Slack's documented example."""

from __future__ import annotations

import json

import pytest

from bot.http import SlackEndpoint
from tests.fixtures import PAYLOADS

VECTOR = PAYLOADS / "signing"


def test_signing_vector() -> None:
    vector = json.loads((VECTOR / "signing_test_vector.json").read_text())
    ts = int(vector["x_slack_request_timestamp"])
    endpoint = SlackEndpoint(app=None, signing_secret=vector["signing_secret"], clock=lambda: ts + 10)  # type: ignore[arg-type]
    headers = {"x-slack-request-timestamp": str(ts), "x-slack-signature": vector["expected_x_slack_signature"]}
    assert endpoint.verifier.is_valid_request(vector["body"], headers)
    assert not endpoint.verifier.is_valid_request(vector["body"] + "x", headers)
    late = SlackEndpoint(app=None, signing_secret=vector["signing_secret"], clock=lambda: ts + 301)  # type: ignore[arg-type]
    assert not late.verifier.is_valid_request(vector["body"], headers)


@pytest.mark.parametrize("timestamp", ["soon", "", "1e9", "9" * 5000])
def test_a_timestamp_that_is_not_a_number_is_an_invalid_signature_not_an_error(timestamp: str) -> None:
    endpoint = SlackEndpoint(app=None, signing_secret="secret", clock=lambda: 1_700_000_000)  # type: ignore[arg-type]
    assert not endpoint._signed("body", {"x-slack-request-timestamp": timestamp, "x-slack-signature": "v0=00"})
