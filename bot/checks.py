"""`porchlight check`: settings valid, database reachable, migrations current, Slack answers. It changes nothing:
a database that does not exist yet is reported as new (which `run` creates), not created."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from bot.settings import Settings
from bot.slack.client import app_token_refused, build_web_client
from storage.db import DatabaseUnavailable, make_engine, probe, reason, safe_url, sqlite_file
from storage.migrate import current_revision, head_revision, known_revision

CREATES = "`porchlight run` (or `porchlight db upgrade`) creates"


def run_checks(settings: Settings) -> list[tuple[bool, str]]:
    """Return (passed, line) for each check, in order."""
    results: list[tuple[bool, str]] = []
    problems = settings.problems_for_run()
    results.append((not problems, "settings" + ("" if not problems else ": " + "; ".join(problems))))
    results += _database(settings)
    results += _slack(settings)
    return results


def _database(settings: Settings) -> list[tuple[bool, str]]:
    where = safe_url(settings.database_url)
    path = sqlite_file(settings.database_url)
    if path is not None and not path.exists():
        # Connecting would create the file; `check` only looks.
        return [(True, f"database: new, none yet at {where} ({path.resolve()}); {CREATES} it")]
    try:
        engine = make_engine(settings.database_url)
        try:
            probe(engine)
            current, head = current_revision(engine), head_revision()
        finally:
            engine.dispose()
    except DatabaseUnavailable as exc:
        return [(False, str(exc))]
    except SQLAlchemyError as exc:
        return [(False, f"database at {where}: {reason(exc)}")]
    reachable = (True, f"database reachable ({where})")
    if current == head:
        return [reachable, (True, f"migrations: database at {current}, code at {head}")]
    if current is None:
        return [reachable, (True, f"migrations: a new database (no tables yet), code at {head}; {CREATES} them")]
    if not known_revision(current):
        return [reachable, (False, f"migrations: database at {current}, which this code does not know (was it "
                                   f"upgraded by a newer Porchlight?); code at {head}")]  # fmt: skip
    return [reachable, (True, f"migrations: database at {current}, code at {head}; `porchlight run` (or "
                              "`porchlight db upgrade`) applies the rest")]  # fmt: skip


def _slack(settings: Settings) -> list[tuple[bool, str]]:
    if settings.slack_bot_token is None:
        return [(False, "slack: SLACK_BOT_TOKEN not set")]
    try:
        answer = build_web_client(settings).auth_test()
    except SlackApiError as exc:
        return [(False, f"slack: auth.test refused: {exc.response.get('error')}")]
    except OSError as exc:
        return [(False, f"slack: unreachable at {settings.slack_api_url}: {type(exc).__name__}")]
    results = [(True, f"slack: connected as {answer.get('user')} in {answer.get('team')} ({answer.get('team_id')})")]
    if settings.slack_app_token is not None:
        results.append(_app_token(settings))
    return results


def _app_token(settings: Settings) -> tuple[bool, str]:
    """Socket Mode: Slack hands this app-level token a connection URL (which `check` does not open)."""
    assert settings.slack_app_token is not None
    client = WebClient(base_url=build_web_client(settings).base_url, timeout=10)
    try:
        client.apps_connections_open(app_token=settings.slack_app_token.get_secret_value())
    except SlackApiError as exc:
        return False, f"slack: {app_token_refused(exc.response.get('error'))}"
    except OSError as exc:
        return False, f"slack: unreachable at {settings.slack_api_url}: {type(exc).__name__}"
    return True, "slack: SLACK_APP_TOKEN opens Socket Mode connections"
