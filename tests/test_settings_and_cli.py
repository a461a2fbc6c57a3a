"""Settings: a missing or malformed one gives one short line naming it and where to get it; exit 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.errors import SettingsError
from bot.settings import Settings, load_settings
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[1]


def problems(**env: str) -> list[str]:
    with pytest.raises(SettingsError) as caught:
        load_settings(None, **env)
    return caught.value.problems


def test_defaults_are_sqlite_in_the_working_directory_and_slacks_api() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_url == "sqlite:///porchlight.db"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.port == 3000


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("PORCHLIGHT_TIMEZONE", "Mars/Olympus", "IANA"),
        ("PORCHLIGHT_VACANCY_CHANNEL", "#vacancies", "not a channel id"),
        ("PORCHLIGHT_COORDINATORS", "U0COORD, alice", "not a user id"),
        ("PORCHLIGHT_PORT", "eighty", "integer"),
        ("PORCHLIGHT_PORT", "70000", "65535"),
        ("SLACK_BOT_TOKEN", "xoxp-user-token", "xoxb-"),
        ("SLACK_APP_TOKEN", "xoxb-wrong-kind", "xapp-"),
        ("DATABASE_URL", "mysql://x@y/z", "sqlite:// and postgresql://"),
    ],
)
def test_a_malformed_setting_is_named_with_where_to_get_it(name: str, value: str, says: str) -> None:
    [line] = problems(**{name: value})
    assert line.startswith(f"{name}: ")
    assert says in line
    assert "Expected" in line


def test_secrets_never_show_in_repr_or_problems() -> None:
    settings = make_settings(SLACK_BOT_TOKEN="xoxb-very-secret-value")
    assert "very-secret" not in repr(settings)
    assert "very-secret" not in str(problems(SLACK_BOT_TOKEN="xoxp-very-secret-value"))


def test_coordinators_are_a_comma_separated_list() -> None:
    assert make_settings(PORCHLIGHT_COORDINATORS=" U0A1, W0B2 ,").coordinators == ["U0A1", "W0B2"]


def test_what_run_still_needs() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    needed = [line.split(":")[0] for line in settings.problems_for_run()]
    assert needed == ["SLACK_BOT_TOKEN", "SLACK_APP_TOKEN or SLACK_SIGNING_SECRET", "PORCHLIGHT_VACANCY_CHANNEL"]
    assert make_settings().problems_for_run() == []


def _porchlight(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PORCHLIGHT_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=cwd, env={**clean, "PYTHONPATH": str(ROOT), **env},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_run_without_credentials_says_what_to_set_and_exits_2(tmp_path: Path) -> None:
    result = _porchlight("run", cwd=tmp_path)
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN: not set" in result.stderr
    assert "SLACK_APP_TOKEN or SLACK_SIGNING_SECRET" in result.stderr
    assert "PORCHLIGHT_VACANCY_CHANNEL" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_malformed_env_file_setting_exits_2_without_traceback(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PORCHLIGHT_TIMEZONE=Nowhere/Special\nSLACK_BOT_TOKEN=xoxb-secret-abc\n")
    result = _porchlight("run", cwd=tmp_path)
    assert result.returncode == 2
    assert "PORCHLIGHT_TIMEZONE: 'Nowhere/Special' is not an IANA time zone name" in result.stderr
    assert "secret-abc" not in result.stderr + result.stdout
    assert "Traceback" not in result.stderr


def test_db_upgrade_then_check(tmp_path: Path) -> None:
    upgraded = _porchlight("db", "upgrade", cwd=tmp_path)
    assert upgraded.returncode == 0, upgraded.stderr
    assert (tmp_path / "porchlight.db").exists()
    checked = _porchlight("check", cwd=tmp_path, SLACK_API_URL="http://127.0.0.1:9/api/")
    assert checked.returncode == 3  # settings that `run` needs are missing (tests/test_operator_errors.py)
    assert "ok   database reachable" in checked.stdout
    assert "ok   migrations" in checked.stdout
    assert "FAIL slack: SLACK_BOT_TOKEN not set" in checked.stdout
    exported = _porchlight("export", "vacancies", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.splitlines()[0].startswith("vacancy_id,property,unit")
    to_file = _porchlight("export", "referrals", "-o", "referrals.csv", cwd=tmp_path)
    assert to_file.returncode == 0
    assert (tmp_path / "referrals.csv").read_text().startswith("referral_id,")


def test_run_with_a_token_slack_refuses_exits_2(tmp_path: Path, sandbox: object) -> None:
    result = _porchlight(
        "run", cwd=tmp_path, SLACK_BOT_TOKEN="xoxb-revoked", SLACK_SIGNING_SECRET="s",
        PORCHLIGHT_VACANCY_CHANNEL="C0VACANCIES", SLACK_API_URL=sandbox.api_url,  # type: ignore[attr-defined]
    )  # fmt: skip
    assert result.returncode == 2
    assert "Slack refused SLACK_BOT_TOKEN (invalid_auth)" in result.stderr
    assert "Traceback" not in result.stderr
