"""Shared fixtures: real SQLite and PostgreSQL databases, the local Slack workspace, a running bot."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.app import wire
from bot.clock import ManualClock
from bot.delivery import Plugins
from bot.deps import Deps
from bot.domain.referral_deadlines import AnswerDeadlines
from bot.domain.working_time import WorkingHours
from bot.settings import Settings
from bot.slack.client import build_delivery_client, build_web_client
from sandbox import SandboxServer, SlackSide, Workspace
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.models import Base

POSTGRES_URL = os.environ.get("PORCHLIGHT_TEST_POSTGRES_URL")
START = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # a Monday, 9:00 in America/Chicago
COORDINATOR = "U0COORD"
CASE_MANAGER = "U0CASEMGR"
PARTNER_PM = "W0PARTNERPM"
VACANCIES = "C0VACANCIES"
# A referral's 24/48-hour answer as the tests' community keeps it (the settings below give the bot the same).
DEADLINES = AnswerDeadlines(
    hours=WorkingHours(country="US"), zone=ZoneInfo("America/Chicago"), coordinators=(COORDINATOR,)
)


@pytest.fixture(scope="session")
def _postgres_database() -> Iterator[str]:
    """A fresh database on the PostgreSQL server, migrated once, dropped at the end."""
    if not POSTGRES_URL:
        pytest.skip("PORCHLIGHT_TEST_POSTGRES_URL is not set")
    name = f"porchlight_test_{uuid.uuid4().hex[:8]}"
    admin = make_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """Every database test runs on SQLite and, when PORCHLIGHT_TEST_POSTGRES_URL is set, on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/porchlight.db"
        return
    url = request.getfixturevalue("_postgres_database")
    yield url
    engine = make_engine(url)
    with engine.begin() as conn:
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def workspace(clock: ManualClock) -> Workspace:
    return Workspace(clock=lambda: clock.now().timestamp())


@pytest.fixture
def sandbox(workspace: Workspace) -> Iterator[SandboxServer]:
    with SandboxServer(workspace) as server:
        yield server


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "SLACK_BOT_TOKEN": "xoxb-sandbox-token",
        "SLACK_SIGNING_SECRET": "sandbox-secret",
        "PORCHLIGHT_VACANCY_CHANNEL": VACANCIES,
        "PORCHLIGHT_ESCALATION_CHANNEL": "C0ESCALATE",
        "PORCHLIGHT_COORDINATORS": COORDINATOR,
        "PORCHLIGHT_TIMEZONE": "America/Chicago",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.fixture
def settings_factory(sandbox: SandboxServer, database_url: str) -> Callable[..., Settings]:
    def build(**overrides: Any) -> Settings:
        return make_settings(SLACK_API_URL=sandbox.api_url, DATABASE_URL=database_url, **overrides)

    return build


@pytest.fixture
def deps(
    settings_factory: Callable[..., Settings], session_factory: sessionmaker[Session], clock: ManualClock
) -> Iterator[Deps]:
    settings = settings_factory()
    deps = Deps(
        settings=settings,
        session_factory=session_factory,
        clock=clock,
        client=build_web_client(settings),
        delivery_client=build_delivery_client(settings, timeout=2),
        plugins=wire(Plugins()),
    )
    yield deps
    deps.contact_log.close()


@pytest.fixture
def running_bot(settings_factory: Callable[..., Settings], engine: Engine, clock: ManualClock) -> Iterator[Any]:
    """Porchlight itself, serving HTTP on 127.0.0.1 (port from the OS), with its scheduler running."""
    from bot.app import Runtime, build_app, build_deps

    deps = build_deps(settings_factory(), clock=clock)
    runtime = Runtime(deps=deps, app=build_app(deps), host="127.0.0.1", port=0).start()
    yield runtime
    runtime.stop()


@pytest.fixture
def slack(running_bot: Any, workspace: Workspace, sandbox: SandboxServer) -> Iterator[SlackSide]:
    """Slack's side: people acting in the workspace, sending signed requests to the running bot."""
    side = SlackSide(workspace, bot_url=running_bot.http.url, sandbox_url=sandbox.base_url)
    yield side
    side.close()
