"""The partner network's figures: "who is silent this month" over 5,000 partners and a year of contact (about
1,000,000 messages, rolled up per partner and day), and an update told to 200 shared channels against the local
workspace's 1 post/s/channel limit, beside the fastest Slack allows.

    .venv/bin/python -m bench.partners [--quick] [--postgres postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, event, insert, text
from sqlalchemy.engine import make_url

from bot.app import wire
from bot.clock import SystemClock
from bot.delivery import Plugins
from bot.deps import Deps
from bot.domain import partners
from bot.domain.actors import Actor
from bot.settings import load_settings
from bot.slack.client import build_delivery_client, build_web_client
from jobs import outbox
from sandbox import SandboxServer, Workspace
from storage import outbox as outbox_rows
from storage import partners as rows
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.models import Partner, PartnerContactDay

ZONE = ZoneInfo("America/Chicago")
TODAY = date(2026, 12, 15)


def _seed_contact(engine: Engine, *, partner_count: int, messages: int) -> dict[str, int]:
    """Partners, and a year of contact as the rollup holds it: each message a signal on its partner's day."""
    rng = random.Random(12)
    created = datetime(2025, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(insert(Partner), [{"name": f"Partner {i:05d}", "kind": "service_provider", "created_at": created,
                                        "contact_users": [], "active": True} for i in range(partner_count)])  # fmt: skip
        ids = [r[0] for r in conn.execute(text("SELECT id FROM partner ORDER BY id"))]
    # A fifth of the partners go quiet this month; the others are heard from on some days of the year.
    quiet = set(rng.sample(ids, partner_count // 5))
    days: dict[tuple[int, date], int] = {}
    first = TODAY - timedelta(days=364)
    for _ in range(messages):
        pid = rng.choice(ids)
        day = first + timedelta(days=rng.randrange(365))
        if pid in quiet and day >= TODAY.replace(day=1):
            day -= timedelta(days=20)
        days[(pid, day)] = days.get((pid, day), 0) + 1
    batch = [{"partner_id": p, "day": d, "signals": n, "last_at": datetime.combine(d, datetime.min.time(), UTC),
              "last_kind": "message"} for (p, d), n in days.items()]  # fmt: skip
    with engine.begin() as conn:
        for start in range(0, len(batch), 20_000):
            conn.execute(insert(PartnerContactDay), batch[start : start + 20_000])
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("ANALYZE"))
    return {"partners": partner_count, "messages": messages, "rollup_rows": len(batch), "quiet": len(quiet)}


def silent_this_month(url: str, *, partner_count: int, messages: int, runs: int = 20) -> dict[str, Any]:
    engine = make_engine(url)
    upgrade(engine)
    seeded = _seed_contact(engine, partner_count=partner_count, messages=messages)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    query = rows.silent_since(TODAY.replace(day=1))
    times, found = [], 0
    factory = make_session_factory(engine)
    for _ in range(runs):
        with factory() as session:
            start = time.perf_counter()
            found = len(session.scalars(query).all())
            times.append((time.perf_counter() - start) * 1000)
    per_query = len(statements) // runs
    compiled = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
    explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    with engine.connect() as conn:
        plan = [" ".join(str(c) for c in r) for r in conn.execute(text(explain + compiled))]
    engine.dispose()
    return {**seeded, "database": engine.dialect.name, "silent_found": found, "statements_per_query": per_query,
            "ms_median": round(statistics.median(times), 2), "ms_max": round(max(times), 2), "plan": plan}  # fmt: skip


def broadcast(*, channels: int) -> dict[str, Any]:
    """One update to `channels` shared channels, delivered by the outbox against 1 post/s/channel; beside it, the
    same number of bare chat.postMessage calls (the fastest Slack allows: one post per channel needs no wait)."""
    workspace = Workspace()
    workspace.post_rate_per_channel = 1.0
    names = [f"C0PART{i:04d}" for i in range(channels)]
    for name in names:
        workspace.add_channel(name, name.lower(), members={"U0PORCHBOT", "U0COORD"})
    with SandboxServer(workspace) as sandbox, tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(None, SLACK_BOT_TOKEN="xoxb-sandbox-token", SLACK_SIGNING_SECRET="x",
                                 SLACK_API_URL=sandbox.api_url, DATABASE_URL=f"sqlite:///{tmp}/p.db",
                                 PORCHLIGHT_COORDINATORS="U0COORD")  # fmt: skip
        engine = make_engine(settings.database_url)
        upgrade(engine)
        deps = Deps(settings=settings, session_factory=make_session_factory(engine), clock=SystemClock(),
                    client=build_web_client(settings), delivery_client=build_delivery_client(settings),
                    plugins=wire(Plugins()))  # fmt: skip
        actor, now = Actor("U0COORD", "T0PORCH"), deps.clock.now()
        with deps.session_factory.begin() as session:
            for i, name in enumerate(names):
                draft = partners.PartnerDraft(name=f"Partner {i}", kind="service_provider", channels=(name,))
                partners.save_partner(session, draft, partner_id=None, actor=actor, now=now)
            draft = partners.BroadcastDraft("The intake office moves to 5th St. on Monday.", partners.Audience.ALL)
            row = partners.draft_broadcast(session, draft, actor=actor, now=now)
        dm = deps.client.conversations_open(users="U0COORD")["channel"]["id"]
        with deps.session_factory.begin() as session:
            partners.send_broadcast(session, row.id, actor=actor, progress_channel=dm, now=now, zone=ZONE)
        start = time.perf_counter()
        while time.perf_counter() - start < channels * 2 + 30:
            outbox.run(deps=deps, now=deps.clock.now())
            with deps.session_factory() as session:
                progress = partners.progress(session, row.id)
                pending = outbox_rows.pending_count(session)
            if pending == 0:
                break
            time.sleep(0.05)
        seconds = time.perf_counter() - start
        posted = sum(1 for n in names for m in workspace.messages(n) if "intake office" in m.text)
        edits = max((m.edited for m in workspace.messages(dm)), default=0)
        workspace.post_rate_per_channel = None
        bare = [f"C0BARE{i:04d}" for i in range(channels)]
        for name in bare:
            workspace.add_channel(name, name.lower(), members={"U0PORCHBOT"})
        start = time.perf_counter()
        for name in bare:
            deps.delivery_client.chat_postMessage(channel=name, text="The intake office moves to 5th St. on Monday.")
        fastest = time.perf_counter() - start
        engine.dispose()
    return {"channels": channels, "posted": posted, "delivered": progress.delivered, "failed": len(progress.failed),
            "progress_edits": edits, "seconds": round(seconds, 2), "bare_posts_seconds": round(fastest, 2),
            "ratio": round(seconds / fastest, 2) if fastest else None}  # fmt: skip


def _postgres(url: str) -> tuple[str, Any]:
    name = f"porchlight_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(url).set(database=name).render_as_string(hide_password=False), drop


def run(quick: bool = False, postgres: str | None = None) -> dict[str, object]:
    partner_count, messages, channels = (500, 50_000, 20) if quick else (5_000, 1_000_000, 200)
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["silent_sqlite"] = silent_this_month(f"sqlite:///{tmp}/s.db", partner_count=partner_count,
                                                     messages=messages)  # fmt: skip
    if postgres:
        url, drop = _postgres(postgres)
        try:
            results["silent_postgresql"] = silent_this_month(url, partner_count=partner_count, messages=messages)
        finally:
            drop()
    results["broadcast"] = broadcast(channels=channels)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--postgres", help="a PostgreSQL server URL: the silent query is measured there too")
    args = parser.parse_args()
    print(json.dumps(run(quick=args.quick, postgres=args.postgres), indent=2, default=str))


if __name__ == "__main__":
    main()
