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
        bad += [f"{rel}: {name}" for name in imports(path) if _within(name, forbidden)]
    return bad


def _within(name: str, packages: tuple[str, ...]) -> bool:
    """`name` is one of `packages` or inside one of them ("bot.slack.blocks" is within "bot.slack")."""
    return any(name == package or name.startswith(package + ".") for package in packages)


def test_storage_imports_nothing_of_slack_http_or_the_application() -> None:
    assert offending("storage", ("slack_sdk", "slack_bolt", "httpx", "bot", "handlers", "jobs", "sandbox")) == []


def test_only_the_wiring_imports_handlers_and_jobs() -> None:
    assert offending("bot", ("handlers", "jobs"), skip=WIRING) == []


def test_the_domain_knows_nothing_of_slack() -> None:
    assert offending("bot/domain", ("slack_sdk", "slack_bolt", "httpx", "bot.slack", "bot.delivery")) == []


# The delivery and scheduling engine: what features plug into. It may use the contract (bot.delivery), storage,
# the generic schedule and working-time rules, and Slack's client; never a feature's domain, builders or plug-ins.
ENGINE = ("jobs/outbox.py", "jobs/ticks.py", "jobs/reminders.py", "jobs/scheduler.py")
ENGINE_MAY_USE = {"bot.domain.schedule", "bot.domain.working_time"}


@pytest.mark.parametrize("module", ENGINE)
def test_the_engine_imports_no_feature(module: str) -> None:
    features = [name for name in imports(ROOT / module) if _within(name, ("bot.domain", "jobs.features", "handlers"))]
    assert [name for name in features if name not in ENGINE_MAY_USE] == []
    builders = [name for name in imports(ROOT / module) if _within(name, ("bot.slack.blocks",))]
    assert builders in ([], ["bot.slack.blocks.messages"])  # the engine's own notice: a delivery failed for good


def test_the_architecture_check_sees_submodules() -> None:
    assert _within("bot.slack.blocks.cards", ("bot.slack",)) and not _within("bot.slackware", ("bot.slack",))


@pytest.mark.parametrize("package", ["handlers", "jobs"])
def test_handlers_and_jobs_do_not_import_each_other(package: str) -> None:
    other = "jobs" if package == "handlers" else "handlers"
    assert offending(package, (other, "sandbox")) == []


def test_the_application_never_imports_the_sandbox() -> None:
    for package in ("bot", "handlers", "jobs", "storage"):
        assert offending(package, ("sandbox",)) == []
