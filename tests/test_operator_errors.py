"""Every mistake an operator can make ends in one line saying what to do, exit status 2, and no traceback; `check`
tells a new database from a broken one and a missing setting from a malformed one; the help says what each
command does. Each runs `python -m bot` as an operator would."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox import SandboxServer
from tests.conftest import VACANCIES

ROOT = Path(__file__).resolve().parents[1]


def porchlight(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PORCHLIGHT_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=cwd, env={**clean, "PYTHONPATH": str(ROOT), **env},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def ready(api_url: str, **env: str) -> dict[str, str]:
    """Every setting `run` needs, against the local workspace."""
    return {"SLACK_BOT_TOKEN": "xoxb-sandbox-token", "SLACK_SIGNING_SECRET": "sandbox-secret",
            "PORCHLIGHT_VACANCY_CHANNEL": VACANCIES, "SLACK_API_URL": api_url, **env}  # fmt: skip


def last_line(result: subprocess.CompletedProcess[str]) -> str:
    """What the operator reads last: the one line that says what went wrong."""
    assert "Traceback" not in result.stderr + result.stdout
    return result.stderr.strip().splitlines()[-1]


@pytest.fixture
def closed_port() -> int:
    """A local port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A port another program is already listening on."""
    with socket.socket() as s:
        s.bind(("0.0.0.0", 0))  # noqa: S104 - where `porchlight run` binds
        s.listen()
        yield int(s.getsockname()[1])


# Slack tokens


def test_an_app_token_slack_refuses_is_one_line_and_exit_2(tmp_path: Path, sandbox: SandboxServer) -> None:
    result = porchlight("run", cwd=tmp_path, **ready(sandbox.api_url, SLACK_APP_TOKEN="xapp-1-A0OTHER-copied-wrong"))
    assert result.returncode == 2
    line = last_line(result)
    assert line.startswith("porchlight: Slack refused SLACK_APP_TOKEN (invalid_auth): ")
    assert '"App-Level Tokens"' in line
    assert "copied-wrong" not in result.stderr + result.stdout
    assert "Failed to retrieve WSS URL" not in result.stderr  # slack_sdk's own three lines are not repeated


def test_a_bot_token_pasted_as_the_app_token_is_named_with_where_to_get_the_right_one(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    result = porchlight("run", cwd=tmp_path, **ready(sandbox.api_url, SLACK_APP_TOKEN="xoxb-sandbox-token"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "SLACK_APP_TOKEN: must start with xapp-" in result.stderr
    assert "sandbox-token" not in result.stderr


def test_check_says_when_slack_refuses_the_app_token(tmp_path: Path, sandbox: SandboxServer) -> None:
    result = porchlight("check", cwd=tmp_path, **ready(sandbox.api_url, SLACK_APP_TOKEN="xapp-1-A0OTHER-wrong"))
    assert result.returncode == 1
    assert "FAIL slack: Slack refused SLACK_APP_TOKEN (invalid_auth)" in result.stdout
    assert "Traceback" not in result.stderr


# The database


@pytest.mark.parametrize("command", [["run"], ["worker"], ["export", "vacancies"], ["db", "upgrade"]])
def test_an_unreachable_database_is_one_line_without_its_password(
    command: list[str], tmp_path: Path, sandbox: SandboxServer, closed_port: int
) -> None:
    url = f"postgresql://porch:hunter2@127.0.0.1:{closed_port}/porchlight"
    result = porchlight(*command, cwd=tmp_path, **ready(sandbox.api_url, DATABASE_URL=url))
    assert result.returncode == 2
    line = last_line(result)
    assert line.startswith(
        f"porchlight: cannot open the database at postgresql+psycopg://porch:***@127.0.0.1:{closed_port}"
    )
    assert "refused" in line
    assert "hunter2" not in result.stderr + result.stdout


def test_check_on_a_new_database_says_run_creates_it_and_creates_nothing(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    result = porchlight("check", cwd=tmp_path, **ready(sandbox.api_url))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok   database: new, none yet at sqlite:///porchlight.db" in result.stdout
    assert "`porchlight run` (or `porchlight db upgrade`) creates it" in result.stdout
    assert "None" not in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_check_on_an_empty_database_says_run_creates_its_tables(tmp_path: Path, sandbox: SandboxServer) -> None:
    (tmp_path / "porchlight.db").touch()  # as an operator's `touch`, or a PostgreSQL database just created
    result = porchlight("check", cwd=tmp_path, **ready(sandbox.api_url))
    assert result.returncode == 0, result.stdout
    assert "ok   migrations: a new database (no tables yet)" in result.stdout


def test_export_on_a_fresh_directory_has_nothing_to_export_and_leaves_nothing_behind(tmp_path: Path) -> None:
    result = porchlight("export", "vacancies", cwd=tmp_path)
    assert result.returncode == 2
    assert last_line(result).startswith("porchlight: nothing to export yet: there is no database at sqlite:///")
    assert result.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_export_to_a_file_it_cannot_write_is_one_line(tmp_path: Path) -> None:
    assert porchlight("db", "upgrade", cwd=tmp_path).returncode == 0
    result = porchlight("export", "vacancies", "-o", str(tmp_path / "no" / "such" / "dir.csv"), cwd=tmp_path)
    assert result.returncode == 2
    assert last_line(result).startswith("porchlight: cannot write ")


# The port


def test_a_port_in_use_is_one_line_and_exit_2(tmp_path: Path, sandbox: SandboxServer, taken_port: int) -> None:
    result = porchlight("run", cwd=tmp_path, **ready(sandbox.api_url, PORCHLIGHT_PORT=str(taken_port)))
    assert result.returncode == 2
    line = last_line(result)
    assert line.startswith(f"porchlight: cannot listen on port {taken_port} (Address already in use): ")
    assert "PORCHLIGHT_PORT" in line


# What the log shows


def test_alembic_speaks_only_at_debug(tmp_path: Path) -> None:
    quiet = porchlight("db", "upgrade", cwd=tmp_path)
    assert quiet.returncode == 0
    assert "alembic" not in quiet.stderr
    assert quiet.stdout.startswith("database at revision ")
    chatty = porchlight("db", "upgrade", cwd=tmp_path, PORCHLIGHT_LOG_LEVEL="DEBUG")
    assert "alembic.runtime.migration" in chatty.stderr


# check's exit status


def test_check_exit_status_tells_malformed_from_missing_from_failed(
    tmp_path: Path, sandbox: SandboxServer, closed_port: int
) -> None:
    malformed = porchlight("check", cwd=tmp_path, **ready(sandbox.api_url, PORCHLIGHT_TIMEZONE="Mars/Olympus"))
    assert malformed.returncode == 2
    assert "PORCHLIGHT_TIMEZONE: 'Mars/Olympus' is not an IANA time zone name" in malformed.stderr

    missing = porchlight("check", cwd=tmp_path, SLACK_API_URL=sandbox.api_url)
    assert missing.returncode == 3
    assert "FAIL settings: SLACK_BOT_TOKEN: not set" in missing.stdout

    failed = porchlight("check", cwd=tmp_path, **ready(f"http://127.0.0.1:{closed_port}/api/"))
    assert failed.returncode == 1
    assert "FAIL slack: unreachable" in failed.stdout

    assert porchlight("check", cwd=tmp_path, **ready(sandbox.api_url)).returncode == 0


# Help


@pytest.mark.parametrize(
    ("command", "says"),
    [
        (["run"], "Apply database migrations, connect to Slack"),
        (["worker"], "Deliver the outbox and run scheduled work"),
        (["check"], "a new one is fine"),
        (["export"], "never client codes"),
        (["db", "upgrade"], "Create the database's tables"),
    ],
)
def test_each_commands_help_says_what_it_does(command: list[str], says: str, tmp_path: Path) -> None:
    result = porchlight(*command, "--help", cwd=tmp_path)
    assert result.returncode == 0
    assert says in " ".join(result.stdout.split())


def test_checks_help_documents_its_exit_status(tmp_path: Path) -> None:
    text = " ".join(porchlight("check", "--help", cwd=tmp_path).stdout.split())
    assert "2 a setting is malformed" in text
    assert "3 a setting that `porchlight run` needs is not set" in text
