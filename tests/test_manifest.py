"""manifest.yml creates the app in one step, is valid for Slack, and agrees with the code."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any
from unittest.mock import Mock

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from bot.deps import Deps
from bot.slack import blocks, ids
from handlers import register_all
from tests.fixtures import SLACK

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_BASE = "https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/"


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_manifest_is_valid_against_slacks_official_schema(manifest: dict[str, Any]) -> None:
    def load(name: str) -> Any:
        return json.loads((SLACK / name).read_text())

    registry = Registry().with_resources(
        (SCHEMA_BASE + name, Resource.from_contents(load(name), default_specification=DRAFT7))
        for name in ("manifest.schema.1.0.0.json", "manifest.schema.2.0.0.json")
    )
    validator = jsonschema.Draft7Validator(load("manifest.schema.json"), registry=registry)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(manifest)]
    assert errors == []
    # The checker itself is not a rubber stamp: Slack's own invalid example fails it, and its valid one passes.
    invalid = load("manifest-examples/v1.manifest.invalid.json")
    assert list(validator.iter_errors(invalid))
    assert list(validator.iter_errors(load("manifest-examples/v1.manifest.valid.json"))) == []


class RecordingApp:
    """Stands in for a Bolt App and records what each feature module registers."""

    def __init__(self) -> None:
        self.registered: dict[str, list[str]] = defaultdict(list)

    def __getattr__(self, kind: str) -> Any:
        def register(key: str, *_: Any, **__: Any) -> Any:
            self.registered[kind].append(key)
            return lambda *listeners, **ack_and_lazy: None

        return register


@pytest.fixture(scope="module")
def registered() -> dict[str, list[str]]:
    app = RecordingApp()
    register_all(app, Mock(spec=Deps))  # type: ignore[arg-type]
    return app.registered


def test_every_command_in_the_manifest_has_a_handler_and_back(
    manifest: dict[str, Any], registered: dict[str, list[str]]
) -> None:
    in_manifest = sorted(c["command"] for c in manifest["features"]["slash_commands"])
    assert in_manifest == sorted(registered["command"]) == sorted(ids.COMMANDS)


def test_every_event_subscribed_has_a_handler_and_back(
    manifest: dict[str, Any], registered: dict[str, list[str]]
) -> None:
    in_manifest = sorted(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert in_manifest == sorted(ids.BOT_EVENTS)
    assert sorted({event.split(".")[0] for event in in_manifest}) == sorted(registered["event"]) == sorted(ids.EVENTS)


def test_every_modal_callback_has_a_handler(registered: dict[str, list[str]]) -> None:
    assert sorted(registered["view"]) == sorted(ids.VIEWS)
    modal = blocks.vacancy_modal(blocks.VacancyModalMeta(), today=date(2026, 11, 23), properties=((1, "Maple Court"),))
    assert modal["callback_id"] in ids.VIEWS
    input_blocks = [b["block_id"] for b in modal["blocks"] if b["type"] == "input"]
    assert input_blocks == list(ids.VACANCY_FIELDS)


def test_interactivity_and_socket_mode_are_on(manifest: dict[str, Any]) -> None:
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "commands" in manifest["oauth_config"]["scopes"]["bot"]


def test_every_button_has_a_handler(registered: dict[str, list[str]]) -> None:
    assert sorted(registered["action"]) == sorted(ids.ACTIONS)


def test_every_message_shortcut_in_the_manifest_has_a_handler_and_back(
    manifest: dict[str, Any], registered: dict[str, list[str]]
) -> None:
    shortcuts = manifest["features"].get("shortcuts", [])
    assert all(s["type"] == "message" for s in shortcuts)  # Porchlight has message shortcuts only
    assert sorted(s["callback_id"] for s in shortcuts) == sorted(registered["shortcut"]) == sorted(ids.SHORTCUTS)
