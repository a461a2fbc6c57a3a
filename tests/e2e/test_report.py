"""The coordinator's monthly report through the local workspace: on the first business day of the month the DM
arrives once, with its charts as images (alt text on each) and the page attached; a restart or a second instance
does not send it again; `/vacancy report` is for coordinators, and a case manager is refused privately."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from bot.app import build_deps
from bot.clock import ManualClock
from bot.domain import privacy
from bot.domain import report as figures
from jobs import outbox, ticks
from sandbox import SlackSide, Workspace
from sandbox.workspace import Message
from storage.models import OutboxMessage
from tests.conftest import CASE_MANAGER, COORDINATOR, VACANCIES
from tests.e2e.board_helpers import add_property, log_unit
from tests.e2e.helpers import eventually


def dms(workspace: Workspace, user: str) -> list[Message]:
    found = [c for c in workspace.channels.values() if c.is_im and user in c.members]
    return [m for c in found for m in c.messages]


def reports(workspace: Workspace, month: str) -> tuple[list[Message], list[Message]]:
    """The coordinator's report summaries for `month`, and the messages sharing its files."""
    mine = dms(workspace, COORDINATOR)
    return ([m for m in mine if f"Porchlight report: {month}" in m.text],
            [m for m in mine if any(month in f["title"] for f in m.files)])  # fmt: skip


def test_on_the_first_business_day_the_report_arrives_once_with_its_images(
    slack: SlackSide, workspace: Workspace, running_bot: Any, clock: ManualClock
) -> None:
    add_property(slack, workspace)
    log_unit(slack, workspace)  # November has a unit listed
    clock.set(datetime(2026, 11, 30, 23, 0, tzinfo=UTC))  # the last evening of November: not yet
    assert (figures.REPORT_JOB, "2026-12") not in ticks.run(deps=running_bot.deps)
    clock.set(datetime(2026, 12, 1, 15, 0, tzinfo=UTC))  # Tuesday 1 December, 09:00 in Chicago
    assert (figures.REPORT_JOB, "2026-12") in ticks.run(deps=running_bot.deps)
    summary, shared = eventually(lambda: (lambda s, f: (s, f) if s and f else None)(*reports(workspace,
                                 "November 2026")), what="the report and its files")  # fmt: skip
    assert "What moved most since October 2026" in summary[0].text
    assert "Units listed: 1" in summary[0].text
    files = shared[0].files
    images = [f for f in files if f["is_image"]]
    assert len(images) == 6 and all(f["alt_txt"] for f in images)  # alt text on every image
    assert [f["name"] for f in files if not f["is_image"]] == ["porchlight-report-2026-11.html"]
    page = workspace.file_bytes(next(f["id"] for f in files if f["name"].endswith(".html")))
    assert page is not None and page[0] == "text/html" and b"Porchlight report: November 2026" in page[1]
    for words in (summary[0].text, *(f["alt_txt"] for f in images)):
        assert privacy.check_text(words, field=privacy.FieldKind.NOTE, today=clock.now().date()) is None

    # A restart (a new process on the same database) and a second instance, later that day: nothing more.
    for _ in range(2):
        again = build_deps(running_bot.deps.settings, clock=clock)
        clock.advance(timedelta(hours=2))
        assert (figures.REPORT_JOB, "2026-12") not in ticks.run(deps=again)
        outbox.run(deps=again)
        again.contact_log.close()
        running_bot.deps.wake_outbox()
    assert tuple(map(len, reports(workspace, "November 2026"))) == (1, 1)
    with running_bot.deps.session_factory() as session:
        rows = session.scalar(select(func.count()).select_from(OutboxMessage)
                              .where(OutboxMessage.kind == figures.REPORT_DM))  # fmt: skip
    assert rows == 1  # one coordinator, one row, once


def test_vacancy_report_is_for_coordinators_and_a_case_manager_is_refused_privately(
    slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    slack.slash_command(user=CASE_MANAGER, channel=VACANCIES, command="/vacancy", text="report")
    refusal = workspace.ephemerals_for(CASE_MANAGER)[-1]
    assert "Only a housing coordinator" in refusal.text
    assert not [m for c in workspace.channels.values() for m in c.messages if "Porchlight report" in m.text]

    slack.slash_command(user=COORDINATOR, channel=VACANCIES, command="/vacancy", text="report")
    assert "Preparing the report for October 2026" in workspace.ephemerals_for(COORDINATOR)[-1].text
    eventually(lambda: all(reports(workspace, "October 2026")), what="the report asked for")
    assert not [m for c in workspace.channels.values() if not c.is_im for m in c.messages
                if "Porchlight report" in m.text]  # fmt: skip
