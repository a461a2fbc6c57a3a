"""The partner network's rules, as specifications: contact rolled up per partner and day, who is silent, the
nudge's day, the migration of the old per-message contact log."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot.domain import contacts, partners
from bot.domain.actors import Actor
from bot.errors import FormErrors
from storage import partners as rows
from storage.migrate import downgrade, upgrade
from storage.models import Partner, PartnerContactDay

CHICAGO = ZoneInfo("America/Chicago")
NOW = datetime(2026, 12, 2, 16, 0, tzinfo=UTC)
COORD = Actor("U0COORD", "T0PORCH")


def _partner(session: Session, name: str, **extra: object) -> Partner:
    draft = partners.PartnerDraft(name=name, kind="service_provider", **extra)  # type: ignore[arg-type]
    return partners.save_partner(session, partners.check_partner(draft), partner_id=None, actor=COORD, now=NOW)


def test_a_partners_name_goes_through_the_detector_and_its_kind_must_be_known() -> None:
    with pytest.raises(FormErrors) as refused:
        partners.check_partner(partners.PartnerDraft(name="Resident Maria Lopez", kind="nonsense"))
    assert set(refused.value.errors) == {"name", "kind"}


def test_signals_of_a_day_add_up_in_one_row_and_last_heard_is_the_latest(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as session:
        pid = _partner(session, "Acme Services", channels=("C0ACME",)).id
    batch = [contacts.SpokenMessage(event_id=f"Ev{i}", channel="C0ACME", ts=f"179000000{i}.000100", thread_ts=None,
                                    user_id="U0X", team_id="T0PORCH", at=NOW + timedelta(minutes=i))
             for i in range(5)]  # fmt: skip
    with session_factory.begin() as session:
        assert contacts.note_messages(session, batch, zone=CHICAGO, home_team="T0PORCH") == 5
        assert contacts.note_messages(session, batch, zone=CHICAGO, home_team="T0PORCH") == 0  # retries
    with session_factory() as session:
        [day] = session.scalars(select(PartnerContactDay)).all()
        assert (day.signals, day.day) == (5, date(2026, 12, 2))
        assert rows.last_heard(session, pid) == NOW + timedelta(minutes=4)


def test_who_is_silent_this_month_is_per_owner_and_leaves_out_inactive_partners(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as session:
        heard = _partner(session, "Heard From", owner_id="U0A").id
        _partner(session, "Quiet One", owner_id="U0A")
        _partner(session, "Nobody's")
        _partner(session, "Gone Away", owner_id="U0A", active=False)
        partners.record_signals(session, [heard], kind=contacts.SignalKind.CALL, at=NOW, zone=CHICAGO)
        partners.record_signals(session, [heard], kind=contacts.SignalKind.CALL, at=NOW - timedelta(days=40),
                                zone=CHICAGO)  # fmt: skip
    with session_factory() as session:
        mine = session.scalars(rows.silent_since(date(2026, 12, 1), owners=["U0A"])).all()
        unowned = session.scalars(rows.silent_since(date(2026, 12, 1), owners=[None])).all()
    assert [p.name for p in mine] == ["Quiet One"]
    assert [p.name for p in unowned] == ["Nobody's"]


@pytest.mark.parametrize(
    ("day", "month", "held"),
    [(20, 12, date(2026, 12, 18)),  # a Sunday: the Friday before
     (25, 12, date(2026, 12, 24)),  # Christmas Day: the day before
     (20, 1, date(2027, 1, 20))],  # a Wednesday: as set
)  # fmt: skip
def test_the_nudge_falls_on_the_business_day_before_a_weekend_or_holiday(day: int, month: int, held: date) -> None:
    rule = partners.nudge_rule(day=day, zone=CHICAGO, country="US")
    start = datetime(2026 if month == 12 else 2027, month, 1, tzinfo=UTC)
    [(key, due)] = list(rule.periods(start, start + timedelta(days=31)))
    assert due.astimezone(CHICAGO).date() == held and key == f"{held.year}-{month:02d}"


def test_the_old_contact_log_becomes_partner_days_and_comes_back_on_downgrade(engine: Engine) -> None:
    downgrade(engine, "0008")
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO partner (name, kind, slack_team_id, created_at) VALUES (:n, :k, :t, :at)"),
            {"n": "Maple Management", "k": "property_management", "t": "T0PARTNER", "at": "2026-11-01 00:00:00+00"},
        )
        said = [("C0SHARED", "T0PARTNER"), ("C0SHARED", "T0PARTNER"), ("C0OTHER", "T0NOBODY")]
        for i, (channel, team) in enumerate(said):
            conn.execute(
                text("INSERT INTO contact (channel, ts, user_id, team_id, kind, at) VALUES (:c, :ts, 'W0PM', :t, "
                     "'message', :at)"),
                {"c": channel, "ts": f"179000000{i}.0001", "t": team, "at": f"2026-11-23 1{i}:00:00+00"},
            )  # fmt: skip
    upgrade(engine, "0009")
    with engine.connect() as conn:
        migrated = conn.execute(text("SELECT day, signals FROM partner_contact_day")).all()
    assert [(str(d), n) for d, n in migrated] == [("2026-11-23", 2)]  # the unknown team's message was not contact
    downgrade(engine, "0008")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT team_id, kind FROM contact")).all() == [("T0PARTNER", "message")]
    upgrade(engine)
