"""Fill a database with a large, realistic board: many properties, vacancies and referrals (no personal data)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Engine, insert

from storage.models import Property, Referral, Vacancy

SUBSIDY_CODES = ["hcv", "vash", "ehv", "psh", "rrh", "other"]
AREAS = ["Northside", "Southside", "Downtown", "Eastgate", "Westfield", "Riverside"]


def seed(engine: Engine, *, vacancies: int, referrals: int, properties: int = 200, seed_value: int = 7) -> None:
    """Insert the board in a few bulk statements; statuses and facts spread like a real community's."""
    rng = random.Random(seed_value)
    now = datetime(2026, 11, 23, 15, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(insert(Property), [
            {"id": i + 1, "name": f"Property {i + 1:03d}", "address": f"{i + 1} Main St", "area": AREAS[i % len(AREAS)],
             "created_at": now, "updated_at": now}
            for i in range(properties)
        ])  # fmt: skip
        rows = []
        for i in range(vacancies):
            status = rng.choices(["open", "referral_pending", "filled", "withdrawn", "expired"], [5, 2, 6, 1, 1])[0]
            rows.append({
                "id": i + 1, "property_id": i % properties + 1, "property_name": f"Property {i % properties + 1:03d}",
                "unit": f"{i % 40 + 1}{'ABCD'[i % 4]}", "bedrooms": rng.choice([0, 1, 1, 2, 2, 3, 4]),
                "rent_cents": rng.randrange(600, 2400) * 100, "available_on": date(2026, 11, 1) + timedelta(days=rng.randrange(90)),
                "subsidies": rng.sample(SUBSIDY_CODES, rng.randrange(0, 3)), "accessibility": ["step_free"] if rng.random() < 0.2 else [],
                "screening": [], "screening_notes": "", "contact": "Leasing office", "notes": "", "status": status,
                "created_by": "U0CASEMGR", "created_by_team": "T0PORCH", "created_at": now, "updated_at": now,
                "last_confirmed_at": now, "version": 1,
            })  # fmt: skip
        conn.execute(insert(Vacancy), rows)
        conn.execute(insert(Referral), [
            {"vacancy_id": rng.randrange(vacancies) + 1, "client_code": f"CM-{i:06d}", "household_size": rng.randrange(1, 6),
             "subsidy": rng.choice(SUBSIDY_CODES), "roi_on_file": rng.random() < 0.7, "note": "",
             "status": rng.choice(["pending", "accepted", "denied", "moved_in"]), "created_by": "U0CASEMGR",
             "created_by_team": "T0PORCH", "created_at": now, "denial_note": ""}
            for i in range(referrals)
        ])  # fmt: skip
        if engine.dialect.name == "postgresql":  # ids were given: move the sequences past them
            for table in ("property", "vacancy"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
                )
