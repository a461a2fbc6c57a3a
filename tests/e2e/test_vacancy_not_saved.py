"""A vacancy that cannot be saved: its submitter is told by DM with what they entered (the listed property they
chose by its name), and the log says what went wrong and where, without anything they typed."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from sandbox import SlackSide, Workspace
from storage.models import Vacancy
from tests.conftest import CASE_MANAGER, VACANCIES
from tests.e2e.board_helpers import UNIT, add_property, only_view
from tests.e2e.helpers import dm_to

TYPED = "Quiet unit near the 12 bus, ask for the side door"


def test_the_dm_names_the_chosen_property_and_the_log_the_cause_without_what_was_typed(
    slack: SlackSide, workspace: Workspace, running_bot: Any, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    add_property(slack, workspace)
    slack.slash_command(user=CASE_MANAGER, channel=VACANCIES, command="/vacancy")
    form = only_view(workspace, CASE_MANAGER)
    maple = next(b for b in form.view["blocks"] if b.get("block_id") == "property_id")["element"]["options"][0]

    def refused(*_: Any, **__: Any) -> None:
        # A database error's text carries the row's values; that text must not reach the log.
        raise IntegrityError("INSERT INTO vacancy ...", {"notes": TYPED}, Exception(f"DETAIL: ({TYPED})"))

    monkeypatch.setattr("bot.domain.vacancies.log_vacancy", refused)
    with caplog.at_level(logging.INFO):
        values = {**UNIT, "property_id": maple["value"], "notes": TYPED}
        assert slack.submit_view(form, user=CASE_MANAGER, values=values).closed
        dm = dm_to(workspace, CASE_MANAGER, what="a DM saying it was not saved")

    text = dm.messages[-1].text
    assert "could not be saved" in text and "Maple Court #12B" in text
    [line] = [r for r in caplog.records if "could not save a vacancy" in r.getMessage()]
    logged = line.getMessage() + (line.exc_text or "")
    assert "IntegrityError" in logged and "refused" in logged  # the cause, and where it was raised
    assert "NoneType: None" not in logged
    assert TYPED not in caplog.text and "DETAIL" not in caplog.text
    ref = text.split("ref ")[1][:6]
    assert f"ref {ref}" in logged  # the reference the person can quote finds this line
    with running_bot.deps.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(Vacancy)) == 0
