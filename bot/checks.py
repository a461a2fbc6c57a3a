"""`porchlight check`: settings valid, database reachable, migrations current, Slack answers."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.settings import Settings
from bot.slack.client import build_web_client
from storage.db import make_engine
from storage.migrate import current_revision, head_revision


def run_checks(settings: Settings) -> list[tuple[bool, str]]:
    """Return (passed, line) for each check, in order."""
    results: list[tuple[bool, str]] = []
    problems = settings.problems_for_run()
    results.append((not problems, "settings" + ("" if not problems else ": " + "; ".join(problems))))
    engine = make_engine(settings.database_url)
    safe_url = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        results.append((True, f"database reachable ({safe_url})"))
        current, head = current_revision(engine), head_revision()
        results.append((current == head, f"migrations: database at {current}, code at {head}"
                        + ("" if current == head else " (run: porchlight db upgrade)")))  # fmt: skip
    except SQLAlchemyError as exc:
        results.append((False, f"database unreachable ({safe_url}): {type(exc).__name__}"))
    results.append(_slack(settings))
    return results


def _slack(settings: Settings) -> tuple[bool, str]:
    if settings.slack_bot_token is None:
        return False, "slack: SLACK_BOT_TOKEN not set"
    try:
        answer = build_web_client(settings).auth_test()
    except SlackApiError as exc:
        return False, f"slack: auth.test refused: {exc.response.get('error')}"
    except OSError as exc:
        return False, f"slack: unreachable at {settings.slack_api_url}: {type(exc).__name__}"
    return True, f"slack: connected as {answer.get('user')} in {answer.get('team')} ({answer.get('team_id')})"
