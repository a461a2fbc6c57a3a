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


def test_a_posted_card_survives_the_move_to_vacancy_card_and_then_to_posted_messages(engine: Engine) -> None:
    downgrade(engine, "0002")
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM vacancy"))
        conn.execute(text(OLD_VACANCY))
    upgrade(engine)
    assert is_current(engine)
    with engine.connect() as conn:
        cards = conn.execute(text("SELECT channel, ts FROM posted_message WHERE subject_type = 'vacancy'")).all()
        version = conn.execute(text("SELECT version FROM vacancy")).scalar_one()
    assert [tuple(c) for c in cards] == [("C0BOARD", "1790000000.000100")]
    assert version == 1
    downgrade(engine, "0001")
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head_revision()


def test_vacancy_cards_become_posted_messages_and_come_back_on_downgrade(engine: Engine) -> None:
    downgrade(engine, "0005")
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM vacancy"))
        conn.execute(
            text(OLD_VACANCY.replace(", card_channel, card_ts", "").replace(", 'C0BOARD', '1790000000.000100'", ""))
        )
        vacancy_id = conn.execute(text("SELECT id FROM vacancy")).scalar_one()
        for channel, ts in (("C0BOARD", "1790000000.000100"), ("C0SHARED", "1790000000.000200")):
            conn.execute(
                text("INSERT INTO vacancy_card (vacancy_id, channel, ts) VALUES (:v, :c, :t)"),
                {"v": vacancy_id, "c": channel, "t": ts},
            )
    upgrade(engine)
    with engine.connect() as conn:
        kept = conn.execute(
            text("SELECT subject_type, subject_id, channel, role, ts FROM posted_message ORDER BY channel")
        ).all()
    assert [tuple(k) for k in kept] == [
        ("vacancy", vacancy_id, "C0BOARD", "card", "1790000000.000100"),
        ("vacancy", vacancy_id, "C0SHARED", "card", "1790000000.000200"),
    ]
    downgrade(engine, "0005")
    with engine.connect() as conn:
        back = conn.execute(text("SELECT vacancy_id, channel, ts FROM vacancy_card ORDER BY channel")).all()
    assert [tuple(b) for b in back] == [(vacancy_id, "C0BOARD", "1790000000.000100"),
                                        (vacancy_id, "C0SHARED", "1790000000.000200")]  # fmt: skip
    upgrade(engine)
    assert is_current(engine)
