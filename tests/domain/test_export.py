"""Exports carry unit facts and outcomes for gap analyses, never client codes or notes."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.domain import referrals, vacancies
from bot.domain.actors import Actor
from bot.domain.export import write_csv
from bot.domain.statuses import ReferralStatus
from tests.conftest import DEADLINES

NOW = datetime(2026, 11, 23, 15, tzinfo=UTC)
CM = Actor("U0CASEMGR", "T0PORCH")


def test_exports_have_no_client_data(session_factory: sessionmaker[Session]) -> None:
    draft = vacancies.VacancyDraft(property_name="=HYPERLINK(evil)", unit="1", bedrooms="1", rent="900",
                                   available_on="2026-12-01", contact="555-0100", notes="quiet street")  # fmt: skip
    with session_factory.begin() as session:
        vacancy = vacancies.log_vacancy(session, facts=vacancies.check_vacancy(draft, today=date(2026, 11, 23)),
                                        actor=CM, now=NOW, board_channel="C0B", reply_channel=None)  # fmt: skip
        facts = referrals.check_referral(referrals.ReferralDraft("CM-20431", "2", "hcv", "yes", "needs ground floor"))
        referral = referrals.refer(
            session, vacancy.id, facts=facts, actor=CM, now=NOW, board_channel="C0B", deadlines=DEADLINES
        )
        referrals.decide(session, referral.id, outcome=ReferralStatus.DENIED, actor=Actor("U0COORD", "T0PORCH"),
                         now=NOW, board_channel="C0B", reason="income", note="over the limit")  # fmt: skip
    out = {}
    with session_factory() as session:
        for what in ("vacancies", "referrals"):
            buffer = io.StringIO()
            assert write_csv(session, what, buffer) == 1
            out[what] = buffer.getvalue()
    rows = list(csv.DictReader(io.StringIO(out["referrals"])))
    assert (rows[0]["status"], rows[0]["denial_reason"], rows[0]["household_size"]) == ("denied", "income", "2")
    everything = out["vacancies"] + out["referrals"]
    for secret in ("CM-20431", "ground floor", "over the limit", "quiet street", "555-0100"):
        assert secret not in everything
    assert "'=HYPERLINK(evil)" in out["vacancies"]  # no formula runs when opened in a spreadsheet
