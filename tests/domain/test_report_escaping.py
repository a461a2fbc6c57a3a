"""The report's page shows organisations' names (properties, partners), which coordinators type: whatever they
typed is text on the page, never markup (the page opens in a browser from a DM)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from bot.domain import report as r
from bot.report_render import charts, page
from storage.models import Partner

MARKUP = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def test_a_partners_name_is_shown_as_text_on_the_page_and_in_its_charts(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        session.add(Partner(name=MARKUP, kind="property_management", created_at=datetime(2026, 1, 5, tzinfo=UTC)))
    with session_factory() as session:
        report = r.build(session, r.of_month("2026-03"), zone=ZoneInfo("America/Chicago"))
    assert [s.partner for s in report.partners.silences] == [MARKUP]  # the longest silence: never heard from
    html = page(r.Pack(report), charts(report))
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;" in html
    assert "<img" not in html and "<script" not in html
