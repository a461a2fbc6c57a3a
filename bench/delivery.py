"""(d) How fast the outbox delivers when the workspace rate-limits chat.postMessage per channel."""

from __future__ import annotations

import tempfile
import time
from datetime import date
from typing import Any

from bot.app import wire
from bot.clock import SystemClock
from bot.delivery import Plugins
from bot.deps import Deps
from bot.domain import vacancies
from bot.domain.actors import Actor
from bot.settings import load_settings
from bot.slack.client import build_delivery_client, build_web_client
from jobs import outbox
from sandbox import SandboxServer, Workspace
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade

DRAFT = vacancies.VacancyDraft(property_name="Maple Court", unit="1", bedrooms="1", rent="900",
                               available_on=date.today().isoformat(), contact="555-0100")  # fmt: skip


def delivery_rate(*, messages: int, channels: int) -> dict[str, Any]:
    """Queue `messages` cards over `channels` channels and deliver them; the limit is 1 post/s per channel."""
    workspace = Workspace()
    workspace.post_rate_per_channel = 1.0
    names = [f"C0BENCH{i}" for i in range(channels)]
    for name in names:
        workspace.add_channel(name, name.lower(), members={"U0PORCHBOT"})
    with SandboxServer(workspace) as sandbox, tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(None, SLACK_BOT_TOKEN="xoxb-sandbox-token", SLACK_SIGNING_SECRET="x",
                                 SLACK_API_URL=sandbox.api_url, DATABASE_URL=f"sqlite:///{tmp}/d.db")  # fmt: skip
        engine = make_engine(settings.database_url)
        upgrade(engine)
        deps = Deps(settings=settings, session_factory=make_session_factory(engine), clock=SystemClock(),
                    client=build_web_client(settings), delivery_client=build_delivery_client(settings),
                    plugins=wire(Plugins()))  # fmt: skip
        facts = vacancies.check_vacancy(DRAFT, today=date.today())
        with deps.session_factory.begin() as session:
            for i in range(messages):
                vacancies.log_vacancy(session, facts=facts, actor=Actor("U0CASEMGR", "T0PORCH"), now=deps.clock.now(),
                                      board_channel=names[i % channels], reply_channel=None)  # fmt: skip
        start = time.perf_counter()
        posted = 0
        while posted < messages and time.perf_counter() - start < messages * 3 + 10:
            outbox.run(deps=deps)  # what the scheduler's one-second tick calls
            posted = sum(len([m for m in workspace.messages(n) if m.blocks]) for n in names)
            time.sleep(0.05)
        seconds = time.perf_counter() - start
        engine.dispose()
    # A channel's first post goes at once; the rest wait one second each.
    best = (messages / channels - 1) if messages > channels else 0.0
    return {"messages": posted, "seconds": seconds, "rate": posted / seconds,
            "of_limit": best / seconds if seconds else 0.0}  # fmt: skip
