"""`/escalate list` and the coordinator's Home tab with 2,000 open and 50,000 closed cases: answered within Slack's
3-second window, in a number of queries that does not grow with the cases.

Both are measured through Porchlight's real HTTP path (signed requests from the local workspace to a running bot,
which answers the command in its ack and publishes the Home tab with views.publish before it answers the event),
against the same requests on a database of 20 open cases, measured in the same run. Queries are counted with a
`before_cursor_execute` listener on the bot's engine, per request.

    .venv/bin/python -m bench.escalations [--quick]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, insert

from bot.clock import ManualClock
from bot.domain.escalations import Category, Outcome, Status, Urgency
from sandbox import SandboxServer, SlackSide, Workspace
from storage.db import make_engine
from storage.migrate import upgrade
from storage.models import Escalation, Property

NOW = datetime(2026, 11, 23, 15, tzinfo=UTC)  # a Monday, 9:00 in Chicago
COORDINATOR = "U0COORD"
SLACK_WINDOW_MS = 3000


def seed(engine: Engine, *, open_cases: int, closed_cases: int, properties: int = 200, seed_value: int = 10) -> None:
    """Cases spread over properties, categories and ages like a busy community's (no personal data)."""
    rng = random.Random(seed_value)
    live = [Status.OPEN, Status.ACKNOWLEDGED, Status.MEDIATION]
    with engine.begin() as conn:
        conn.execute(insert(Property), [
            {"id": i + 1, "name": f"Property {i + 1:03d}", "address": "", "area": "", "created_at": NOW,
             "updated_at": NOW} for i in range(properties)
        ])  # fmt: skip
        rows = []
        for i in range(open_cases + closed_cases):
            opened = NOW - timedelta(hours=rng.randrange(1, 24 * 400))
            status = rng.choice(live) if i < open_cases else Status.RESOLVED
            rows.append({
                "property_id": i % properties + 1, "category": rng.choice(list(Category)), "urgency":
                rng.choice([Urgency.NORMAL] * 4 + [Urgency.URGENT]), "status": status, "raised_by": "U0RSC",
                "raised_by_team": "T0PORCH", "other_party": f"W0PM{i % 50:03d}", "what_happened": "A dispute.",
                "tried": "", "client_code": "", "roi_on_file": False, "remind_due_at": opened + timedelta(hours=24),
                "overdue_due_at": opened + timedelta(hours=48), "summary": "", "version": 1, "created_at": opened,
                "updated_at": opened,
                "mediation_at": NOW + timedelta(days=rng.randrange(1, 30)) if status == Status.MEDIATION else None,
                "acknowledged_at": opened + timedelta(hours=3) if status != Status.OPEN else None,
                "resolved_at": opened + timedelta(days=5) if status == Status.RESOLVED else None,
                "outcome": rng.choice(list(Outcome)) if status == Status.RESOLVED else None,
            })  # fmt: skip
            if len(rows) == 5000:
                conn.execute(insert(Escalation), rows)
                rows = []
        if rows:
            conn.execute(insert(Escalation), rows)


def _measure(engine: Engine, request: Callable[[], Any], *, count: int) -> dict[str, object]:
    queries: list[int] = []
    seen = [0]

    def on_query(*_: object) -> None:
        seen[0] += 1

    event.listen(engine, "before_cursor_execute", on_query)
    times = []
    try:
        for _ in range(count):
            seen[0] = 0
            start = time.perf_counter()
            response = request()
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
            queries.append(seen[0])
    finally:
        event.remove(engine, "before_cursor_execute", on_query)
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 1),
        "max_ms": round(times[-1], 1),
        "queries": sorted(set(queries)),
    }


def _one_database(folder: Path, name: str, *, open_cases: int, closed_cases: int, count: int) -> dict[str, object]:
    from bot.app import Runtime, build_app, build_deps
    from bot.settings import Settings

    url = f"sqlite:///{folder / name}.db"
    engine = make_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    seed(engine, open_cases=open_cases, closed_cases=closed_cases)
    seeded = time.perf_counter() - started
    engine.dispose()
    clock = ManualClock(NOW)
    workspace = Workspace(clock=lambda: clock.now().timestamp())
    with SandboxServer(workspace) as sandbox:
        settings = Settings(
            _env_file=None, SLACK_BOT_TOKEN="xoxb-sandbox-token", SLACK_SIGNING_SECRET="sandbox-secret",
            SLACK_API_URL=sandbox.api_url, DATABASE_URL=url, PORCHLIGHT_VACANCY_CHANNEL="C0VACANCIES",
            PORCHLIGHT_ESCALATION_CHANNEL="C0ESCALATE", PORCHLIGHT_COORDINATORS=COORDINATOR,
            PORCHLIGHT_LOG_LEVEL="WARNING",
        )  # fmt: skip
        deps = build_deps(settings, clock=clock)
        runtime = Runtime(deps=deps, app=build_app(deps), host="127.0.0.1", port=0).start()
        assert runtime.http is not None
        assert runtime._scheduler is not None
        runtime._scheduler.pause()  # count only what the requests ask of the database
        side = SlackSide(workspace, bot_url=runtime.http.url, sandbox_url=sandbox.base_url)
        bot_engine = deps.session_factory.kw["bind"]
        try:
            listing = _measure(bot_engine, lambda: side.slash_command(user=COORDINATOR, channel="C0GENERAL",
                                                                     command="/escalate", text="list"), count=count)  # fmt: skip
            filtered = _measure(bot_engine, lambda: side.slash_command(
                user=COORDINATOR, channel="C0GENERAL", command="/escalate", text="list category:welfare overdue"
            ), count=count)  # fmt: skip
            home = _measure(bot_engine, lambda: side.event({"type": "app_home_opened", "user": COORDINATOR,
                                                            "tab": "home"}), count=count)  # fmt: skip
            assert "Open escalations" in json.dumps(workspace.home_views[COORDINATOR])
        finally:
            side.close()
            runtime.stop()
    return {"open": open_cases, "closed": closed_cases, "seed_s": round(seeded, 1), "list": listing,
            "list_filtered": filtered, "home": home}  # fmt: skip


def run(quick: bool = False) -> dict[str, object]:
    count = 10 if quick else 40
    with tempfile.TemporaryDirectory() as folder:
        small = _one_database(Path(folder), "small", open_cases=20, closed_cases=0, count=count)
        large = _one_database(Path(folder), "large", open_cases=2000, closed_cases=50_000, count=count)
    ratios = {
        what: round(float(large[what]["p50_ms"]) / max(0.1, float(small[what]["p50_ms"])), 2)  # type: ignore[index]
        for what in ("list", "list_filtered", "home")
    }
    within = all(float(large[w]["max_ms"]) < SLACK_WINDOW_MS for w in ("list", "list_filtered", "home"))  # type: ignore[index]
    constant = all(large[w]["queries"] == small[w]["queries"] for w in ("list", "list_filtered", "home"))  # type: ignore[index]
    return {"small": small, "large": large, "p50_ratio_large_to_small": ratios, "within_3s": within,
            "same_queries": constant}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true")
    print(json.dumps(run(quick=parser.parse_args().quick), indent=2))


if __name__ == "__main__":
    main()
