"""The page in a real headless browser: Debian's Chromium, driven by Playwright (no browser download: the system
browser is used). Skipped only where no Chromium is installed, which CI never is (.ci/run installs it)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.clock import ManualClock
from sandbox import launch
from tests.conftest import START

CHROMIUM = Path(os.environ.get("PORCHLIGHT_CHROMIUM", "/usr/bin/chromium"))
NO_BROWSER = f"no Chromium installed at {CHROMIUM} (apt-get install chromium): the browser tests did not run"
ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    for item in items:
        if "tests/browser/test_page" in item.nodeid:
            item.add_marker(pytest.mark.skip(reason=NO_BROWSER))


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[launch.Sandbox]:
    """The sandbox as `--demo` starts it, on the tests' clock (a Monday, 9:00 in the community's zone)."""
    run = launch.start(database=tmp_path / "browser-sandbox.db", port=0, demo_data=True, clock=ManualClock(START))
    yield run
    run.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, sandbox: launch.Sandbox) -> Iterator[Any]:
    """The page, open; it must ask nothing of any other server (no CDN, fonts or analytics)."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    elsewhere: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(sandbox.server.base_url) else elsewhere.append(r.url))
    page.goto(sandbox.url)
    yield page
    context.close()
    assert elsewhere == []


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the steps' screenshots go (the run prints nothing about it; look under pytest's tmp dir)."""
    return tmp_path_factory.mktemp("screenshots")


def keep_for_docs(shot: Path, name: str) -> None:
    """PORCHLIGHT_DOCS_SCREENSHOTS=1 copies a step's screenshot to docs/ (the README shows docs/sandbox.png)."""
    if os.environ.get("PORCHLIGHT_DOCS_SCREENSHOTS"):
        shutil.copyfile(shot, ROOT / "docs" / name)
