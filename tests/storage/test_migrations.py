"""Migrations upgrade real data on both databases, and go back down."""

from __future__ import annotations

from sqlalchemy import Engine, text

from storage.migrate import downgrade, head_revision, is_current, upgrade

OLD_VACANCY = (
    "INSERT INTO vacancy (property_name, unit, bedrooms, rent_cents, available_on, subsidies, accessibility, "
    "screening, screening_notes, contact, notes, status, created_by, created_by_team, created_at, updated_at, "
    "last_confirmed_at, card_channel, card_ts) VALUES ('Maple Court', '1', 1, 90000, '2026-12-01', '[]', '[]', "
    "'[]', '', '555', '', 'open', 'U0A', 'T0A', '2026-11-23 00:00:00+00', '2026-11-23 00:00:00+00', "
    "'2026-11-23 00:00:00+00', 'C0BOARD', '1790000000.000100')"
)


def test_a_posted_card_survives_the_move_to_vacancy_card(engine: Engine) -> None:
    downgrade(engine, "0002")
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM vacancy"))
        conn.execute(text(OLD_VACANCY))
    upgrade(engine)
    assert is_current(engine)
    with engine.connect() as conn:
        cards = conn.execute(text("SELECT channel, ts FROM vacancy_card")).all()
        version = conn.execute(text("SELECT version FROM vacancy")).scalar_one()
    assert [tuple(c) for c in cards] == [("C0BOARD", "1790000000.000100")]
    assert version == 1
    downgrade(engine, "0001")
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head_revision()
