"""What reaches /slack/events: bad signatures are refused, malformed bodies get a 4xx, real payloads no 5xx."""

from __future__ import annotations

import json
import logging
import time
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from sandbox import SlackSide
from tests.fixtures import PAYLOADS


def test_a_bad_signature_is_refused(slack: SlackSide) -> None:
    body = "command=%2Fvacancy&text=help&user_id=U0CASEMGR&team_id=T0PORCH&trigger_id=1.2"
    headers = {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=" + "0" * 64}
    response = slack.post(body, "application/x-www-form-urlencoded", headers=headers, sign=False)
    assert response.status_code == 401


def test_a_stale_signature_is_refused(slack: SlackSide) -> None:
    body = "command=%2Fvacancy&text=help&user_id=U0CASEMGR&team_id=T0PORCH&trigger_id=1.2"
    stale = slack.signed_headers(body, timestamp=int(time.time()) - 600)
    response = slack.post(body, "application/x-www-form-urlencoded", headers=stale, sign=False)
    assert response.status_code == 401


def test_unsigned_requests_are_refused(slack: SlackSide) -> None:
    response = slack.post("command=%2Fvacancy", "application/x-www-form-urlencoded", sign=False)
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ("[1, 2, 3]", "application/json"),
        ("payload=%7Bnot-json", "application/x-www-form-urlencoded"),
        ("payload=%5B%5D", "application/x-www-form-urlencoded"),
        ("hello=world", "application/x-www-form-urlencoded"),
        ("", "application/x-www-form-urlencoded"),
    ],
)
def test_malformed_signed_bodies_get_a_4xx_and_no_traceback(
    slack: SlackSide, body: str, content_type: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        response = slack.post(body, content_type)
    assert 400 <= response.status_code < 500
    assert "Traceback" not in caplog.text
    assert not [r for r in caplog.records if r.exc_info]


def test_other_paths_and_methods(slack: SlackSide) -> None:
    base = slack.bot_url.removesuffix("/slack/events")
    assert httpx.get(base + "/health").status_code == 200
    assert httpx.get(base + "/nope").status_code == 404
    assert httpx.get(slack.bot_url).status_code == 405


def _samples() -> list[tuple[str, str, str]]:
    """(name, body, content type) for every inbound sample Slack's own SDK tests use."""
    found = []
    for path in sorted(PAYLOADS.glob("events/*.json")):
        found.append((path.name, path.read_text(), "application/json"))
    for path in sorted(PAYLOADS.glob("interactivity/*.json")):
        found.append((path.name, "payload=" + quote(path.read_text()), "application/x-www-form-urlencoded"))
    for path in sorted(PAYLOADS.glob("*/*.form.txt")):
        found.append((path.name, path.read_text().strip(), "application/x-www-form-urlencoded"))
    # The samples live in the repository (tests/fixtures); an empty list would only skip the test below.
    assert found, f"no payload samples under {PAYLOADS}"
    return found


@pytest.mark.parametrize(("name", "body", "content_type"), _samples(), ids=lambda v: v if ".json" in v else "")
def test_real_payload_samples_never_get_a_5xx(
    slack: SlackSide, name: str, body: str, content_type: str, caplog: pytest.LogCaptureFixture
) -> None:
    response = slack.post(body, content_type)
    assert response.status_code < 500, (name, response.status_code, response.text)
    assert not [r for r in caplog.records if r.exc_info], name


def test_url_verification_is_answered(slack: SlackSide) -> None:
    body: dict[str, Any] = json.loads((PAYLOADS / "events" / "url_verification.json").read_text())
    response = slack.post(json.dumps(body), "application/json")
    assert response.json() == {"challenge": body["challenge"]}
