"""Imports point one way (DESIGN.md §4): storage knows nothing of Slack or the app; only the wiring imports
handlers and jobs; the domain knows nothing of Slack."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WIRING = {"bot/app.py", "bot/cli.py", "bot/__main__.py"}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def modules(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def offending(package: str, forbidden: tuple[str, ...], *, skip: set[str] = frozenset()) -> list[str]:  # type: ignore[assignment]
    bad = []
    for path in modules(package):
        rel = str(path.relative_to(ROOT))
        if rel in skip:
            continue
        bad += [f"{rel}: {name}" for name in imports(path) if name.split(".")[0] in forbidden or name in forbidden]
    return bad


def test_storage_imports_nothing_of_slack_http_or_the_application() -> None:
    assert offending("storage", ("slack_sdk", "slack_bolt", "httpx", "bot", "handlers", "jobs", "sandbox")) == []


def test_only_the_wiring_imports_handlers_and_jobs() -> None:
    assert offending("bot", ("handlers", "jobs"), skip=WIRING) == []


def test_the_domain_knows_nothing_of_slack() -> None:
    assert offending("bot/domain", ("slack_sdk", "slack_bolt", "httpx", "bot.slack")) == []


@pytest.mark.parametrize("package", ["handlers", "jobs"])
def test_handlers_and_jobs_do_not_import_each_other(package: str) -> None:
    other = "jobs" if package == "handlers" else "handlers"
    assert offending(package, (other, "sandbox")) == []


def test_the_application_never_imports_the_sandbox() -> None:
    for package in ("bot", "handlers", "jobs", "storage"):
        assert offending(package, ("sandbox",)) == []
