"""The monthly report over a year of a large community: 1,000 properties, 50,000 referrals (and their units and
audit rows), 20,000 escalations, 1,000 partners with a year of contact days, check-in items and agendas.

Measured: the queries each section runs (a `before_cursor_execute` listener), the time to read the figures and to
draw the page and its charts, against the same report on a tenth of the data in the same run: the queries must be
the same number, whatever the size.

    .venv/bin/python -m bench.report [--quick]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, event, insert

from bot.domain import report as r
from bot.report_render import charts, page
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade
from storage.models import (
    Agenda,
    AuditEntry,
    CheckinItem,
    Escalation,
    Meeting,
    Partner,
    PartnerContactDay,
    Property,
    Referral,
    Reminder,
    Vacancy,
)

ZONE = ZoneInfo("America/Chicago")
YEAR_START = datetime(2026, 1, 1, 12, tzinfo=UTC)
MONTH = r.of_month("2026-11")
SECTIONS = ("data_to", "board", "referral_figures", "escalation_figures", "checkin_figures", "partner_figures")


def seed(
    engine: Engine, *, properties: int, referrals: int, escalations: int, partners: int, seed_value: int = 15
) -> None:
    rng = random.Random(seed_value)

    def when() -> datetime:
        return YEAR_START + timedelta(minutes=rng.randrange(0, 60 * 24 * 333))

    with engine.begin() as conn:
        conn.execute(insert(Property), [{"id": i + 1, "name": f"Property {i + 1:04d}", "created_at": YEAR_START,
                                         "updated_at": YEAR_START} for i in range(properties)])  # fmt: skip
        units, audits, refs, reminders = [], [], [], []
        for i in range(referrals):  # one unit per referral: listed, referred, then filled, withdrawn or left open
            listed = when()
            left = listed + timedelta(hours=rng.randrange(24, 24 * 60))
            fate = rng.choice(["vacancy.filled", "vacancy.moved_in", "vacancy.withdrawn", "vacancy.expired", None])
            units.append({"id": i + 1, "property_name": f"Property {i % properties + 1:04d}", "unit": str(i),
                          "bedrooms": rng.randrange(0, 5), "rent_cents": 90000, "available_on": listed.date(),
                          "subsidies": rng.choice([[], ["hcv"], ["vash", "hcv"], ["rrh"]]), "contact": "office",
                          "status": "open", "created_by": "U0CM", "created_by_team": "T0", "created_at": listed,
                          "updated_at": listed, "last_confirmed_at": listed, "property_id": i % properties + 1})  # fmt: skip
            audits.append({"at": listed, "actor": "U0CM", "action": "vacancy.logged", "subject_type": "vacancy",
                           "subject_id": i + 1, "detail": {}})  # fmt: skip
            if fate:
                audits.append({"at": left, "actor": "U0PM", "action": fate, "subject_type": "vacancy",
                               "subject_id": i + 1, "detail": {}})  # fmt: skip
            made = listed + timedelta(hours=rng.randrange(1, 20))
            status = rng.choice(["pending", "accepted", "denied", "denied", "moved_in"])
            refs.append(
                {
                    "id": i + 1,
                    "vacancy_id": i + 1,
                    "client_code": "",
                    "household_size": 2,
                    "status": status,
                    "denial_reason": rng.choice(list(r.referrals.DENIAL_REASONS)) if status == "denied" else None,
                    "created_by": "U0CM",
                    "created_by_team": "T0",
                    "created_at": made,
                    "decided_at": None if status == "pending" else made + timedelta(hours=rng.randrange(2, 200)),
                }
            )
            reminders.append({"kind": "referral.answer_overdue", "subject_type": "referral", "subject_id": i + 1,
                              "recipient": "U0COORD", "zone": ZONE.key, "due_at": made + timedelta(hours=60),
                              "max_sends": 1, "sent_count": 0, "created_at": made})  # fmt: skip
        conn.execute(insert(Vacancy), units)
        conn.execute(insert(AuditEntry), audits)
        conn.execute(insert(Referral), refs)
        conn.execute(insert(Reminder), reminders)
        cases = []
        for i in range(escalations):
            opened = when()
            cases.append(
                {
                    "property_id": i % properties + 1,
                    "category": rng.choice(list(r.escalations.Category)),
                    "urgency": rng.choice(["normal"] * 4 + ["urgent"]),
                    "status": "resolved",
                    "raised_by": "U0RSC",
                    "raised_by_team": "T0",
                    "other_party": "W0PM",
                    "what_happened": "",
                    "created_at": opened,
                    "updated_at": opened,
                    "remind_due_at": opened + timedelta(hours=24),
                    "overdue_due_at": opened + timedelta(hours=48),
                    "acknowledged_at": opened + timedelta(hours=rng.randrange(1, 60)),
                    "resolved_at": opened + timedelta(hours=rng.randrange(60, 600)),
                    "outcome": "payment_plan",
                }
            )
        conn.execute(insert(Escalation), cases)
        conn.execute(
            insert(Partner),
            [
                {
                    "id": i + 1,
                    "name": f"Partner {i:04d}",
                    "kind": rng.choice(list(r.partners.PartnerKind)),
                    "created_at": YEAR_START,
                    "active": True,
                }
                for i in range(partners)
            ],
        )
        days = {(rng.randrange(1, partners + 1), date(2026, 1, 1) + timedelta(days=rng.randrange(0, 333)))
                for _ in range(partners * 40)}  # fmt: skip
        conn.execute(insert(PartnerContactDay), [{"partner_id": p, "day": d, "signals": 1, "last_at": YEAR_START,
                                                  "last_kind": "message"} for p, d in days])  # fmt: skip
        conn.execute(insert(Meeting), [{"id": i + 1, "kind": "property", "name": f"M{i}", "property_id": i + 1,
                                        "weekday": 1, "at": "10:00", "zone": ZONE.key, "anchor": date(2026, 1, 6),
                                        "holiday_rule": "skip"} for i in range(properties // 4)])  # fmt: skip
        conn.execute(insert(Agenda), [{"meeting_id": m + 1, "period": f"w{w}", "held_at": YEAR_START + timedelta(weeks=w),
                                       "status": "summarised", "posted_at": YEAR_START + timedelta(weeks=w)}
                                      for m in range(properties // 4) for w in range(0, 48, 2)])  # fmt: skip
        conn.execute(insert(CheckinItem), [{"meeting_id": i % (properties // 4) + 1, "section": "units",
                                            "raised_by": "U0RSC", "created_at": (t := when()),
                                            "closed_at": t + timedelta(days=rng.randrange(1, 40))}
                                           for i in range(properties * 5)])  # fmt: skip


def measure(engine: Engine) -> dict[str, Any]:
    counts: dict[str, int] = {}
    current = {"section": ""}

    def count(*_: Any) -> None:
        counts[current["section"]] = counts.get(current["section"], 0) + 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        started = time.perf_counter()
        with make_session_factory(engine)() as session:
            for name in SECTIONS:
                current["section"] = name
                getattr(r, name)(session, MONTH, zone=ZONE)
            current["section"] = "whole report"
            report = r.build(session, MONTH, zone=ZONE)
            previous = r.build(session, r.month_before(MONTH), zone=ZONE)
        figures_ms = (time.perf_counter() - started) * 1000
    finally:
        event.remove(engine, "before_cursor_execute", count)
    started = time.perf_counter()
    drawn = charts(report)
    html = page(r.Pack(report, previous=previous), drawn)
    draw_ms = (time.perf_counter() - started) * 1000
    return {
        "queries": counts,
        "figures_ms": round(figures_ms),
        "draw_ms": round(draw_ms),
        "page_kb": len(html) // 1024,
        "referrals_made": report.referrals.made,
        "escalations_raised": report.escalations.raised,
    }


def run(quick: bool = False, database_url: str | None = None) -> dict[str, object]:
    scale = 0.1 if quick else 1.0
    results: dict[str, object] = {}
    for label, factor in (("tenth", scale / 10), ("full", scale)):
        with tempfile.TemporaryDirectory() as folder:
            engine = make_engine(database_url or f"sqlite:///{Path(folder) / 'bench.db'}")
            upgrade(engine)
            started = time.perf_counter()
            seed(engine, properties=max(10, int(1000 * factor)), referrals=int(50_000 * factor),
                 escalations=int(20_000 * factor), partners=max(10, int(1000 * factor)))  # fmt: skip
            seeded = time.perf_counter() - started
            results[label] = {"seed_s": round(seeded, 1), **measure(engine)}
            engine.dispose()
    full, tenth = results["full"], results["tenth"]
    assert isinstance(full, dict)
    assert isinstance(tenth, dict)
    results["same_queries"] = full["queries"] == tenth["queries"]
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--database", help="a PostgreSQL URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    print(json.dumps(run(quick=args.quick, database_url=args.database), indent=2))
