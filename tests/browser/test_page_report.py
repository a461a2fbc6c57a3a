"""The coordinator's monthly report as the local workspace shows it: the clock moved to the first business day of
December, the coordinator's DM with Porchlight holds November's summary once, the charts as images with their alt
text, and the whole report as an HTML page that opens from the sandbox (README: docs/report-dm.png)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select

from bot.domain import properties, referral_deadlines, referrals, vacancies
from bot.domain.statuses import ReferralStatus, VacancyStatus
from bot.report_render import IN_DM
from sandbox import demo, launch
from storage.models import Vacancy
from tests.browser.conftest import keep_for_docs
from tests.browser.test_page import COORDINATOR, act_as
from tests.browser.test_page_blocks import seed

REPORT_MONTH = "November 2026"  # the demo's Monday is 23 November; the report on 1 December is about November
CODES = "HMIS-9990"  # made-up client codes (HMIS-99900 to 99905); no code may reach the DM or the page


def a_busy_november(context: demo.DemoContext) -> None:
    """November at Oak Terrace before the demo's Monday, so the report has something to draw: eight units listed
    two days apart from the 2nd, six of them referred the day after; three households moved in, two were denied
    for income and one for credit (those units then filled or withdrawn), one unit filled outright, one withdrawn."""
    oak = next(pid for pid, name in properties.listed(context.session) if name == "Oak Terrace")
    settings, manager = context.deps.settings, context.actor(demo.RSC)  # our RSC manages Oak Terrace
    deadlines = referral_deadlines.AnswerDeadlines(hours=settings.hours, zone=settings.zone,
                                                   coordinators=tuple(settings.coordinators))  # fmt: skip
    outcomes = ["moved_in", "moved_in", "moved_in", "income", "income", "credit", None, None]
    afterwards = [None, None, None, VacancyStatus.FILLED, VacancyStatus.WITHDRAWN, VacancyStatus.FILLED,
                  VacancyStatus.FILLED, VacancyStatus.WITHDRAWN]  # fmt: skip
    for n, (outcome, then) in enumerate(zip(outcomes, afterwards, strict=True)):
        listed_at = context.now - timedelta(days=21 - 2 * n)
        draft = vacancies.VacancyDraft(property_id=str(oak), unit=f"N{n + 1:02}", bedrooms=str(n % 3), rent="875",
                                       available_on=(listed_at + timedelta(days=10)).date().isoformat(),
                                       subsidies=("hcv",) if n % 2 else (), contact="Leasing office")  # fmt: skip
        vacancy = vacancies.log_vacancy(context.session, facts=vacancies.check_vacancy(draft, today=listed_at.date()),
                                        actor=context.actor(demo.CASE_MANAGER), now=listed_at,
                                        board_channel=context.board, reply_channel=None)  # fmt: skip
        if outcome is not None:
            facts = referrals.check_referral(
                referrals.ReferralDraft(client_code=f"{CODES}{n}", household_size="2", roi="yes"),
                code_format=settings.client_code_format,
            )
            referral = referrals.refer(context.session, vacancy.id, facts=facts, actor=context.actor(demo.CASE_MANAGER),
                                       now=listed_at + timedelta(days=1), board_channel=context.board,
                                       deadlines=deadlines)  # fmt: skip
            answered_at = listed_at + timedelta(days=2)
            if outcome == "moved_in":
                referrals.decide(context.session, referral.id, outcome=ReferralStatus.MOVED_IN, actor=manager,
                                 now=answered_at, board_channel=context.board,
                                 move_in_on=answered_at.date())  # fmt: skip
            else:
                referrals.decide(context.session, referral.id, outcome=ReferralStatus.DENIED, actor=manager,
                                 now=answered_at, board_channel=context.board, reason=outcome)  # fmt: skip
        if then is not None:
            event = vacancies.Event.FILLED if then == VacancyStatus.FILLED else vacancies.Event.WITHDRAWN
            vacancies.change_status(context.session, vacancy.id, allowed_from=vacancies.LIVE, to=then, actor=manager,
                                    now=listed_at + timedelta(days=4), board_channel=context.board,
                                    event=event)  # fmt: skip


def test_on_the_first_business_day_the_coordinators_dm_has_the_summary_the_charts_and_the_page(
    page: Any, sandbox: launch.Sandbox, screenshots: Path
) -> None:
    seed(sandbox, a_busy_november)
    with sandbox.deps.session_factory() as session:
        assert len(list(session.scalars(select(Vacancy.id).where(Vacancy.unit.like("N%"))))) == 8
    act_as(page, COORDINATOR)
    page.click(".channel >> text=Porchlight")
    expect(page.locator(".tab[data-tab=messages]")).to_be_visible()

    # The monthly job's next run is Tuesday 1 December at the working day's start; the move runs every hour's
    # work on the way (eight days of it), then the worker renders and delivers the DM.
    page.click(".clock-move[data-move='job:report.monthly']")
    expect(page.locator("#now")).to_contain_text("Tue 01 Dec 2026 09:01", timeout=120_000)
    summary = page.locator(".message.bot").filter(has_text=f"Porchlight report: {REPORT_MONTH}")
    expect(summary).to_have_count(1, timeout=120_000)
    expect(summary).to_contain_text("The month in figures:")
    expect(summary).to_contain_text("Units listed")
    expect(summary).not_to_contain_text("HMIS-")  # no client codes, no names: figures only

    # The charts, shared in one message after the summary: each shown from the sandbox, each with its alt text
    # (the one it was uploaded with, also shown under it), and the page as a link.
    shared = page.locator(".message.bot").filter(has=page.locator(".files"))
    expect(shared.locator(".file img")).to_have_count(len(IN_DM), timeout=60_000)
    page.wait_for_function("() => [...document.querySelectorAll('.file img')].every(i => i.complete && i.naturalWidth)")
    uploaded = {u["alt_txt"] for u in sandbox.workspace.uploads.values() if u["filename"].endswith(".png")}
    alts = [img.get_attribute("alt") for img in shared.locator(".file img").all()]
    assert all(alts) and set(alts) == uploaded and len(uploaded) == len(IN_DM)
    for figure in shared.locator("figure.file").all():
        assert figure.locator(".file-alt").inner_text() == "Alt text: " + figure.locator("img").get_attribute("alt")
        expect(figure.locator(".file-title")).to_contain_text(REPORT_MONTH)
    report_link = shared.locator(".file a", has_text="the full report (HTML)")
    expect(report_link).to_have_count(1)
    expect(shared.locator(".file-other .file-kind")).to_have_text("HTML")
    href = report_link.get_attribute("href")
    assert href is not None and href.endswith("/porchlight-report-2026-11.html")
    opened = page.request.get(sandbox.server.base_url + href)
    assert opened.status == 200 and opened.headers["content-security-policy"] == "sandbox"  # it runs nothing here
    assert f"<title>Porchlight report: {REPORT_MONTH}</title>" in opened.text()
    assert "HMIS-" not in opened.text()

    # Once: the job ran once for December, whatever else the eight days brought to this DM.
    expect(summary).to_have_count(1)
    expect(shared).to_have_count(1)

    # The screenshot: a screen tall enough for the summary and the six charts, two to a row.
    page.set_viewport_size({"width": 1440, "height": 1760})
    summary.evaluate("m => m.scrollIntoView({block: 'start'})")
    shot = screenshots / "11-report-dm.png"
    page.screenshot(path=shot)
    keep_for_docs(shot, "report-dm.png")
