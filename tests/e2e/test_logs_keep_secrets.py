"""Logs carry ids, counts and references, never client codes or free text, at any level: even at
PORCHLIGHT_LOG_LEVEL=DEBUG, where slack_sdk would write every request body it sends and SQLAlchemy every row."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from bot.logs import CHATTY_LOGGERS, SQL_LOGGERS, WIRE_LOGGERS
from sandbox import SlackSide, Workspace
from tests.conftest import CASE_MANAGER, PARTNER_PM, VACANCIES, make_settings
from tests.e2e.board_helpers import SHARED, add_property, cards, log_unit, only_view, thread
from tests.e2e.helpers import eventually

CLIENT_CODE = "CM-73519"
REFERRAL_NOTE = "prefers a ground floor unit near the clinic"
UNIT_NOTE = "quiet courtyard side"


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Logging as `porchlight run` sets it up at PORCHLIGHT_LOG_LEVEL=DEBUG, every record captured. Listed before
    the bot's fixtures, so the bot is built after it, as the CLI builds it."""
    names = (*WIRE_LOGGERS, *SQL_LOGGERS, *CHATTY_LOGGERS)
    saved = {name: logging.getLogger(name).level for name in names}
    make_settings(PORCHLIGHT_LOG_LEVEL="DEBUG").configure_logging()
    caplog.set_level(logging.DEBUG)
    yield caplog
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    return (
        "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''} {r.stack_info or ''}" for r in caplog.records)
        + caplog.text
    )


def test_a_referral_at_debug_logs_neither_its_client_code_nor_its_notes(
    debug_logs: pytest.LogCaptureFixture, slack: SlackSide, workspace: Workspace, running_bot: Any
) -> None:
    add_property(slack, workspace)
    card = log_unit(slack, workspace, notes=UNIT_NOTE)
    slack.click(user=CASE_MANAGER, channel=VACANCIES, message_ts=card.ts, action_id="vacancy_refer")
    form = only_view(workspace, CASE_MANAGER)
    values = {"client_code": CLIENT_CODE, "household_size": "3", "subsidy": "hcv", "roi": "yes",
              "note": REFERRAL_NOTE}  # fmt: skip
    assert slack.submit_view(form, user=CASE_MANAGER, values=values).closed
    shared = eventually(lambda: cards(workspace, SHARED), what="the shared card")[0]
    notice = eventually(lambda: [m for m in thread(workspace, SHARED, shared.ts) if "R-1" in m.text], what="notice")[0]
    slack.click(user=PARTNER_PM, channel=SHARED, message_ts=notice.ts, action_id="referral_details",
                thread_ts=shared.ts)  # fmt: skip
    # The code went through slack_sdk to Slack (the manager is shown it privately), so at DEBUG slack_sdk would
    # have logged it with the request body.
    eventually(lambda: [e for e in workspace.ephemerals_for(PARTNER_PM) if CLIENT_CODE in e.text], what="Details")

    logged = everything_logged(debug_logs)
    assert any(r.levelno == logging.DEBUG and r.name.startswith("porchlight") for r in debug_logs.records)
    for secret in (CLIENT_CODE, REFERRAL_NOTE, UNIT_NOTE):
        assert secret not in logged
    assert not [r for r in debug_logs.records if r.name.startswith(("slack_sdk", "porchlight.bolt", "sqlalchemy"))
                and r.levelno < logging.INFO]  # fmt: skip


def test_a_failing_statement_is_logged_without_its_parameters(
    debug_logs: pytest.LogCaptureFixture, engine: Engine
) -> None:
    with pytest.raises(SQLAlchemyError) as caught, engine.begin() as connection:
        connection.execute(text("INSERT INTO no_such_table (client_code) VALUES (:code)"), {"code": CLIENT_CODE})
    logging.getLogger("porchlight.test").error("could not save", exc_info=caught.value)

    assert CLIENT_CODE not in str(caught.value)
    assert "no_such_table" in debug_logs.text  # the statement is there, to find the fault by
    assert CLIENT_CODE not in everything_logged(debug_logs)
