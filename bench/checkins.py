"""Check-ins: compiling every agenda due in one tick (1,000 properties holding 20,000 open items), in a number of
reads that does not grow with them. Counted with a `before_cursor_execute` listener, against a baseline of 50
properties (1,000 items) measured in the same run.

`python -m bench.checkins [--quick]`
"""

from __future__ import annotations

import sys
import tempfile
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, insert

from bot.app import wire
from bot.clock import ManualClock
from bot.delivery import Plugins
from bot.deps import Deps
from bot.domain import checkins
from bot.domain.schedule import HolidayRule, WeeklyOn
from bot.settings import load_settings
from bot.slack.client import build_delivery_client, build_web_client
from jobs import ticks
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.models import CheckinItem, Meeting, Property, Referral, Schedule, Vacancy

MEETING = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)  # a Wednesday, 10:00 in Chicago
RULE = WeeklyOn(weekday=2, at=time(10, 0), zone=ZoneInfo("America/Chicago"),
                anchor=date(2026, 11, 23), holiday_rule=HolidayRule.NEXT_BUSINESS_DAY, country="US")  # fmt: skip


def _seed(session_factory: Any, properties: int, items_each: int) -> None:
    raised = MEETING - timedelta(days=3)
    with session_factory.begin() as session:
        session.execute(insert(Property), [{"id": n, "name": f"Property {n}", "shared_channel": f"C0P{n}",
                                            "created_at": raised, "updated_at": raised}
                                           for n in range(1, properties + 1)])  # fmt: skip
        session.execute(insert(Meeting), [{"id": n, "kind": checkins.MeetingKind.PROPERTY, "name": f"Property {n}",
                                           "property_id": n, "members": ["U0RSC"], "weekday": 2, "at": "10:00",
                                           "zone": "America/Chicago", "every_weeks": 1, "anchor": date(2026, 11, 23),
                                           "holiday_rule": "next_business_day", "active": True, "created_at": raised,
                                           "updated_at": raised} for n in range(1, properties + 1)])  # fmt: skip
        session.execute(insert(Schedule), [{"job": checkins.AGENDA_JOB, "subject_type": checkins.SUBJECT,
                                            "subject_id": n, "rule": RULE.as_dict(), "next_due_at": MEETING,
                                            "active": True, "created_at": raised, "updated_at": raised}
                                           for n in range(1, properties + 1)])  # fmt: skip
        sections = checkins.SECTIONS[checkins.MeetingKind.PROPERTY]
        session.execute(insert(CheckinItem), [{"meeting_id": n, "section": sections[i % len(sections)],
                                               "unit": f"{i}A", "client_code": "", "note": "Follow up",
                                               "raised_by": "U0RSC", "created_at": raised}
                                              for n in range(1, properties + 1) for i in range(items_each)])  # fmt: skip
        # One move-in per property from the board since the last meeting.
        session.execute(insert(Vacancy), [{"id": n, "property_name": f"Property {n}", "unit": "9Z", "bedrooms": 1,
                                           "rent_cents": 90000, "available_on": date(2026, 11, 1), "contact": "x",
                                           "status": "filled", "created_by": "U0CM", "created_by_team": "T0",
                                           "created_at": raised, "updated_at": raised, "last_confirmed_at": raised,
                                           "property_id": n} for n in range(1, properties + 1)])  # fmt: skip
        session.execute(insert(Referral), [{"vacancy_id": n, "client_code": "CM-1", "household_size": 1,
                                            "status": "moved_in", "created_by": "U0CM", "created_by_team": "T0",
                                            "created_at": raised, "decided_at": raised}
                                           for n in range(1, properties + 1)])  # fmt: skip


def compile_tick(*, properties: int, items_each: int) -> dict[str, Any]:
    """Seed, then run the one tick at the meeting time; count statements (reads apart) and time it."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(None, SLACK_BOT_TOKEN="xoxb-bench", SLACK_SIGNING_SECRET="x",
                                 SLACK_API_URL="http://127.0.0.1:9/api/", DATABASE_URL=f"sqlite:///{tmp}/c.db",
                                 PORCHLIGHT_CATCH_UP_HOURS="12")  # fmt: skip
        engine = make_engine(settings.database_url)
        upgrade(engine)
        session_factory = make_session_factory(engine)
        _seed(session_factory, properties, items_each)
        deps = Deps(settings=settings, session_factory=session_factory, clock=ManualClock(MEETING),
                    client=build_web_client(settings), delivery_client=build_delivery_client(settings),
                    plugins=wire(Plugins()))  # fmt: skip
        counts = {"select": 0, "other": 0}

        def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            counts["select" if statement.lstrip().upper().startswith("SELECT") else "other"] += 1

        event.listen(engine, "before_cursor_execute", count)
        started = clock.perf_counter()
        ran = ticks.run(deps=deps, now=MEETING)
        seconds = clock.perf_counter() - started
        event.remove(engine, "before_cursor_execute", count)
        engine.dispose()
    agendas = sum(1 for job, _ in ran if job == checkins.AGENDA_JOB)
    return {"properties": properties, "open_items": properties * items_each, "agendas": agendas,
            "reads": counts["select"], "writes": counts["other"], "seconds": round(seconds, 2)}  # fmt: skip


def run(quick: bool = False) -> dict[str, object]:
    baseline = compile_tick(properties=50, items_each=20)
    large = compile_tick(properties=200 if quick else 1000, items_each=20)
    return {"baseline": baseline, "large": large, "reads_ratio": round(large["reads"] / baseline["reads"], 2)}


if __name__ == "__main__":
    print(run(quick="--quick" in sys.argv))
