"""`porchlight agenda preview PROPERTY`: the next agenda in the terminal, nothing posted; a property without a
check-in is one clear line and exit status 2, never a traceback."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot import cli
from bot.domain import checkins, properties
from bot.domain.actors import Actor
from bot.domain.checkins import MeetingKind
from bot.domain.schedule import HolidayRule
from bot.slack.blocks.checkins import agenda_text
from storage.models import OutboxMessage

COORDINATOR = Actor("U0COORD", "T0PORCH")


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch, database_url: str, engine: Any, tmp_path: Any) -> str:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    for name, value in {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "secret", "DATABASE_URL": database_url,
                        "PORCHLIGHT_VACANCY_CHANNEL": "C0VACANCIES", "PORCHLIGHT_COORDINATORS": "U0COORD",
                        "PORCHLIGHT_TIMEZONE": "America/Chicago"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)
    return database_url


def test_preview_prints_the_next_agenda_without_posting_it(
    configured: str, session_factory: sessionmaker[Session], capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.clock import SystemClock

    now = SystemClock().now()
    with session_factory.begin() as session:
        draft = properties.PropertyDraft(name="Maple Court", address="100 Maple Ave", area="Northside",
                                         shared_channel="C0SHARED")  # fmt: skip
        prop = properties.save_property(session, properties.check_property(draft), actor=COORDINATOR, now=now)
        setup = checkins.Setup(weekday=2, at=time(10, 0), zone="America/Chicago",
                               holiday_rule=HolidayRule.NEXT_BUSINESS_DAY)  # fmt: skip
        meeting = checkins.set_property_checkin(session, prop, setup, actor=COORDINATOR, now=now, country="US")
        assert meeting is not None
        facts = checkins.check_item(checkins.ItemDraft(section="arrears", unit="4A", client_code="HMIS-0153",
                                                       note="Payment plan"), kind=MeetingKind.PROPERTY)  # fmt: skip
        checkins.add_item(session, meeting, facts, actor=COORDINATOR, now=now)
    with session_factory() as session:
        queued = session.query(OutboxMessage).count()

    assert cli.main(["agenda", "preview", "maple court"]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert "Maple Court" in out and "Unit 4A" in out and "HMIS-0153" in out
    assert out.index("nonpayment") < out.index("Lease violations") < out.index("Other property issues")
    with session_factory() as session:
        assert session.query(OutboxMessage).count() == queued  # nothing posted, nothing queued
        shown = checkins.upcoming_view(session, checkins.find_meeting(session, "Maple Court"), now=now,  # type: ignore[arg-type]
                                       country="US")  # fmt: skip
    assert agenda_text(shown).strip() == out.strip()


def test_an_unknown_property_is_one_clear_line_and_exit_status_2(
    configured: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["agenda", "preview", "Nowhere Gardens"]) == 2
    said = capsys.readouterr()
    assert said.out == ""
    assert said.err.strip().splitlines() == [
        "porchlight: no check-in is set up for 'Nowhere Gardens' (coordinators set it in the property form)"
    ]
    assert "Traceback" not in said.err
