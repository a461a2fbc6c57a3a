"""Slack's known-answer vector: the endpoint's verifier agrees with Slack's documented example."""

from __future__ import annotations

import json

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
