"""Two bot processes on one PostgreSQL and one Slack workspace: every post exactly once, nothing lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from sandbox import SandboxServer, SlackSide, Workspace
from storage.db import make_engine, make_session_factory
from storage.models import Base, OutboxMessage, ScheduledRun, Vacancy
from tests.conftest import PARTNER_PM, VACANCIES
from tests.e2e.board_helpers import SHARED, add_property, cards, log_unit, thread
from tests.e2e.helpers import ROOT, eventually, process_env

START = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


class Instance:
    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.instance"], cwd=ROOT, env=env, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, text=True, start_new_session=True,  # its own group: kill() takes its worker too
        )  # fmt: skip
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        assert line.startswith("READY "), f"instance did not start: {line!r}"
        self.url = line.removeprefix("READY ")

    def stop(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            self.process.wait(timeout=30)

    def kill(self) -> None:
        """Pull the plug on the server and its worker at once (SIGKILL to the process group)."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@pytest.fixture
def cluster(tmp_path: Path, sandbox: SandboxServer, _postgres_database: str) -> Iterator[dict[str, Any]]:
    clock_file = tmp_path / "clock"
    clock_file.write_text(START.isoformat())
    env = process_env(
        sandbox.api_url, _postgres_database, PORCHLIGHT_TICK_SECONDS="0.2",
        PORCHLIGHT_TEST_CLOCK_FILE=str(clock_file), PORCHLIGHT_LOG_LEVEL="WARNING",
    )  # fmt: skip
    engine = make_engine(_postgres_database)
    empty(engine)
    started = [Instance(env), Instance(env)]
    yield {"instances": started, "env": env, "clock": clock_file, "db": make_session_factory(engine)}
    for instance in started:
        instance.stop()
    empty(engine)
    engine.dispose()


def empty(engine: Any) -> None:
    with engine.begin() as conn:
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        conn.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


def side(workspace: Workspace, sandbox: SandboxServer, instance: Instance) -> SlackSide:
    return SlackSide(workspace, bot_url=instance.url, sandbox_url=sandbox.base_url)


def test_two_instances_post_everything_exactly_once(
    cluster: dict[str, Any], workspace: Workspace, sandbox: SandboxServer
) -> None:
    a, b = (side(workspace, sandbox, i) for i in cluster["instances"])
    workspace.clock = lambda: datetime.fromisoformat(cluster["clock"].read_text()).timestamp()
    add_property(a, workspace)
    for n, slack in enumerate((a, b, a, b)):
        log_unit(slack, workspace, unit=f"{n + 1}A")
    eventually(lambda: len(cards(workspace, SHARED)) == 4, what="four shared cards")
    target = cards(workspace, SHARED)[0]

    # The same button clicked through both instances at once: applied once.
    clicks = [threading.Thread(target=s.click, kwargs={"user": PARTNER_PM, "channel": SHARED, "message_ts": target.ts,
                                                       "action_id": "vacancy_fill"}) for s in (a, b)]  # fmt: skip
    for t in clicks:
        t.start()
    for t in clicks:
        t.join()

    def settled() -> bool:
        with cluster["db"]() as session:
            return not session.scalars(select(OutboxMessage).where(OutboxMessage.status == "pending")).all()

    eventually(settled, what="the click's edits are delivered", within=30)
    # Four business days pass, with both schedulers ticking. Time moves on only once a day's work is delivered,
    # as it does for real: a claim (60 s) outlives any request (10 s timeout), so it never lapses mid-request.
    for day in (8, 9, 10, 11):
        cluster["clock"].write_text((START + timedelta(days=day)).isoformat())
        eventually(lambda d=day: _ran(cluster, START + timedelta(days=d)), what=f"day {day}'s check", within=20)
        eventually(settled, what="the day's posts are delivered", within=30)
    with cluster["db"]() as session:
        statuses = Counter(session.scalars(select(OutboxMessage.status)))
        assert statuses == {"sent": sum(statuses.values())}
        assert Counter(session.scalars(select(Vacancy.status))) == {"filled": 1, "open": 3}
        runs = [(r.job, r.period_key) for r in session.scalars(select(ScheduledRun))]
    assert len(runs) == len(set(runs))  # each day's work ran once, on one instance or the other
    assert {key for job, key in runs if job == "staleness"} == {
        "2026-11-23",
        "2026-12-01",
        "2026-12-02",
        "2026-12-03",
        "2026-12-04",
    }
    for channel in (VACANCIES, SHARED):
        headers = Counter(m.text.split(":", 1)[1] for m in cards(workspace, channel))
        assert list(headers.values()) == [1, 1, 1, 1], headers  # one card per unit, edited in place
        for card in cards(workspace, channel):
            asks = [m for m in thread(workspace, channel, card.ts) if "still available?" in m.text]
            fills = [m for m in thread(workspace, channel, card.ts) if "Marked filled" in m.text]
            assert len(asks) == (0 if fills else 1)  # the open ones were asked once, across both instances
            assert len(fills) <= 1


def _ran(cluster: dict[str, Any], when: datetime) -> bool:
    with cluster["db"]() as session:
        keys = set(session.scalars(select(ScheduledRun.period_key).where(ScheduledRun.job == "staleness")))
    local = when.astimezone(__import__("zoneinfo").ZoneInfo("America/Chicago")).date()
    return local.isoformat() in keys


def test_killed_mid_delivery_then_restarted_posts_once(
    cluster: dict[str, Any], workspace: Workspace, sandbox: SandboxServer
) -> None:
    a = side(workspace, sandbox, cluster["instances"][0])
    workspace.clock = lambda: datetime.fromisoformat(cluster["clock"].read_text()).timestamp()
    add_property(a, workspace)

    def settled() -> bool:
        with cluster["db"]() as session:
            return not session.scalars(select(OutboxMessage).where(OutboxMessage.status == "pending")).all()

    # The property's own message in its shared channel goes first, so that the delay below is the card's.
    eventually(settled, what="the property's message is posted", within=30)
    # Slack will take the next card, then answer only after 5 seconds: long enough to pull the plug.
    workspace.faults.delay("chat.postMessage", seconds=5, after_effect=True)
    log_unit_without_waiting(a, workspace)
    eventually(lambda: cards(workspace, VACANCIES), what="Slack has the card")
    for instance in cluster["instances"]:
        instance.kill()
    restarted = Instance(cluster["env"])
    cluster["instances"].append(restarted)
    cluster["clock"].write_text((START + timedelta(minutes=5)).isoformat())  # the dead worker's claim lapses
    eventually(settled, what="the restarted instance finishes the work", within=30)
    assert len(cards(workspace, VACANCIES)) == 1
    assert len(cards(workspace, SHARED)) == 1
    confirmations = [e for e in workspace.ephemerals if "Posted vacancy V-1" in e.text]
    assert len(confirmations) == 1


def log_unit_without_waiting(slack: SlackSide, workspace: Workspace) -> None:
    from tests.conftest import CASE_MANAGER
    from tests.e2e.board_helpers import UNIT, only_view

    slack.slash_command(user=CASE_MANAGER, channel=VACANCIES, command="/vacancy")
    form = only_view(workspace, CASE_MANAGER)
    options = next(b for b in form.view["blocks"] if b.get("block_id") == "property_id")["element"]["options"]
    assert slack.submit_view(form, user=CASE_MANAGER, values={**UNIT, "property_id": options[0]["value"]}).closed
