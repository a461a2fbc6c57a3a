"""One settings object, read from the environment and `.env`, passed down from the entry point."""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.domain.privacy import DEFAULT_CODE_PATTERN
from bot.domain.working_time import WorkingHours, parse_hours
from bot.errors import SettingsError

CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{2,}$")
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")

# Where each setting comes from, shown whenever one is missing or malformed.
WHERE = {
    "SLACK_BOT_TOKEN": 'the Bot User OAuth Token (xoxb-...) on your Slack app\'s "OAuth & Permissions" page',
    "SLACK_APP_TOKEN": 'an app-level token (xapp-...) with connections:write, under "Basic Information" > '
    '"App-Level Tokens" (Socket Mode)',
    "SLACK_SIGNING_SECRET": 'the Signing Secret under "Basic Information" > "App Credentials" (HTTP mode)',
    "DATABASE_URL": "a SQLAlchemy URL such as sqlite:///porchlight.db or postgresql://user@host/dbname",
    "SLACK_API_URL": "Slack's Web API base URL; leave unset unless testing against a local workspace",
    "PORCHLIGHT_TIMEZONE": "the community's IANA time zone name, e.g. America/Chicago",
    "PORCHLIGHT_VACANCY_CHANNEL": "the id (C...) of the channel where vacancy cards are posted: open the "
    "channel's details in Slack and copy the Channel ID at the bottom",
    "PORCHLIGHT_ESCALATION_CHANNEL": "the id (C...) of the coordinator's escalation channel (channel details)",
    "PORCHLIGHT_COORDINATORS": "comma-separated Slack user ids (U...) of the housing system coordinators "
    "(profile > ... > Copy member ID)",
    "PORCHLIGHT_BACKUP_COORDINATORS": "comma-separated Slack user ids (U...) of the backup coordinators, told when "
    "an escalation is still unacknowledged after 48 business hours (8 if urgent)",
    "PORCHLIGHT_PORT": "the TCP port for HTTP mode, 1-65535",
    "PORCHLIGHT_LOG_LEVEL": "DEBUG, INFO, WARNING or ERROR",
    "PORCHLIGHT_STALE_DAYS": "days without confirmation before managers are asked, 1-90 (default 7)",
    "PORCHLIGHT_EXPIRE_DAYS": "days without confirmation before a listing expires, above the stale days (default 14)",
    "PORCHLIGHT_DAILY_CHECK_TIME": "local time of the daily staleness check, HH:MM (default 09:00)",
    "PORCHLIGHT_HOLIDAYS": "a country code such as US or US-IL whose public holidays skip the daily check, or NONE",
    "PORCHLIGHT_TICK_SECONDS": "how often scheduled work is checked, in seconds (default 60)",
    "PORCHLIGHT_CATCH_UP_HOURS": "how far back a restarted bot catches up missed scheduled work, 0-168 (default "
    "48): the latest missed period of each job runs once",
    "PORCHLIGHT_CLIENT_CODE_PATTERN": "a regular expression that a whole client reference code must match "
    "(default: 3-24 letters, digits and dashes with at least one digit)",
    "PORCHLIGHT_PARTNER_NUDGE_DAY": "the day of the month, 1-31 (default 20), when owners of partners not heard from "
    "that month are nudged (the business day before, when it falls on a weekend or holiday)",
    "PORCHLIGHT_REPORT_MIN_COUNT": "the smallest count of households or clients the monthly report shows as it is, "
    '2-50 (default 5): smaller counts read "fewer than 5"',
    "PORCHLIGHT_WORKING_HOURS": "the working day, HH:MM-HH:MM in each person's time zone (default 09:00-17:00): "
    "reminders due outside it wait for the next working day",
}


class Settings(BaseSettings):
    """Porchlight's settings: Slack's conventional names for credentials, PORCHLIGHT_* for the rest."""

    model_config = SettingsConfigDict(
        env_prefix="PORCHLIGHT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    slack_bot_token: SecretStr | None = Field(default=None, validation_alias="SLACK_BOT_TOKEN")
    slack_app_token: SecretStr | None = Field(default=None, validation_alias="SLACK_APP_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, validation_alias="SLACK_SIGNING_SECRET")
    database_url: str = Field(default="sqlite:///porchlight.db", validation_alias="DATABASE_URL")
    slack_api_url: str = Field(default="https://slack.com/api/", validation_alias="SLACK_API_URL")
    timezone: str = Field(default="America/Chicago", validation_alias=AliasChoices("PORCHLIGHT_TIMEZONE"))
    vacancy_channel: str | None = Field(default=None, validation_alias="PORCHLIGHT_VACANCY_CHANNEL")
    escalation_channel: str | None = Field(default=None, validation_alias="PORCHLIGHT_ESCALATION_CHANNEL")
    coordinators: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias="PORCHLIGHT_COORDINATORS"
    )
    backup_coordinators: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias="PORCHLIGHT_BACKUP_COORDINATORS"
    )
    port: int = Field(default=3000, ge=1, le=65535, validation_alias="PORCHLIGHT_PORT")
    stale_days: int = Field(default=7, ge=1, le=90, validation_alias="PORCHLIGHT_STALE_DAYS")
    expire_days: int = Field(default=14, ge=2, le=180, validation_alias="PORCHLIGHT_EXPIRE_DAYS")
    daily_check_time: time = Field(default=time(9, 0), validation_alias="PORCHLIGHT_DAILY_CHECK_TIME")
    holidays: str | None = Field(default="US", validation_alias="PORCHLIGHT_HOLIDAYS")
    catch_up_hours: int = Field(default=48, ge=0, le=168, validation_alias="PORCHLIGHT_CATCH_UP_HOURS")
    tick_seconds: float = Field(default=60, ge=0.1, le=3600, validation_alias="PORCHLIGHT_TICK_SECONDS")
    log_level: str = Field(default="INFO", validation_alias="PORCHLIGHT_LOG_LEVEL")
    client_code_pattern: str = Field(default=DEFAULT_CODE_PATTERN, validation_alias="PORCHLIGHT_CLIENT_CODE_PATTERN")
    working_hours: str = Field(default="09:00-17:00", validation_alias="PORCHLIGHT_WORKING_HOURS")
    partner_nudge_day: int = Field(default=20, ge=1, le=31, validation_alias="PORCHLIGHT_PARTNER_NUDGE_DAY")
    report_min_count: int = Field(default=5, ge=2, le=50, validation_alias="PORCHLIGHT_REPORT_MIN_COUNT")

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must start with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must start with xapp-")
        return value

    @field_validator("slack_bot_token", "slack_app_token", "slack_signing_secret", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("vacancy_channel", "escalation_channel", mode="before")
    @classmethod
    def _channel_id(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip() or None
        if value is not None and not CHANNEL_ID.match(value):
            raise ValueError(f"{value!r} is not a channel id (it looks like C0123ABCD, not #name)")
        return value

    @field_validator("coordinators", "backup_coordinators", mode="before")
    @classmethod
    def _user_ids(cls, value: Any) -> list[str]:
        items = [v.strip() for v in value.split(",")] if isinstance(value, str) else list(value or [])
        items = [v for v in items if v]
        bad = [v for v in items if not USER_ID.match(v)]
        if bad:
            raise ValueError(f"{', '.join(map(repr, bad))} not a user id (it looks like U0123ABCD)")
        return items

    @field_validator("timezone")
    @classmethod
    def _iana_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{value!r} is not an IANA time zone name") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise ValueError(f"{value!r} is not a database URL") from exc
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError("only sqlite:// and postgresql:// URLs are supported")
        return value

    @field_validator("holidays", mode="before")
    @classmethod
    def _holiday_country(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().upper() or None
        if value in (None, "NONE"):
            return None
        import holidays

        country, _, subdivision = str(value).partition("-")
        try:
            holidays.country_holidays(country, subdiv=subdivision or None)
        except NotImplementedError as exc:
            raise ValueError(f"{value!r} is not a country (and subdivision) the holidays package knows") from exc
        return value

    @field_validator("expire_days")
    @classmethod
    def _expire_after_asking(cls, value: int, info: Any) -> int:
        stale = info.data.get("stale_days")
        if stale is not None and value <= stale:
            raise ValueError(f"must be more than PORCHLIGHT_STALE_DAYS ({stale}), so people have time to answer")
        return value

    @field_validator("working_hours")
    @classmethod
    def _working_hours(cls, value: str) -> str:
        parse_hours(value)  # ValueError says what is wrong
        return value.strip()

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError(f"{value!r} is not a log level")
        return value.upper()

    @field_validator("client_code_pattern")
    @classmethod
    def _code_pattern(cls, value: str) -> str:
        if not value.strip():
            return DEFAULT_CODE_PATTERN  # set but blank in .env, like the tokens: the default
        try:
            re.compile(value)
        except (re.error, OverflowError, RecursionError) as exc:
            raise ValueError(f"{value!r} is not a regular expression ({exc})") from None
        return value

    @property
    def client_code_format(self) -> re.Pattern[str]:
        """The agency's client code format, matched against the whole code."""
        return re.compile(self.client_code_pattern)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def hours(self) -> WorkingHours:
        """The working day (PORCHLIGHT_WORKING_HOURS) and the public holidays (PORCHLIGHT_HOLIDAYS) reminders keep."""
        start, end = parse_hours(self.working_hours)
        return WorkingHours(start=start, end=end, country=self.holidays)

    @property
    def socket_mode(self) -> bool:
        return self.slack_app_token is not None

    def problems_for_run(self) -> list[str]:
        """List what `porchlight run` still needs, one line per setting."""
        return self._unset(http_only=False)

    def problems_for_http(self) -> list[str]:
        """What serving HTTP behind a WSGI server (bot.wsgi) still needs: the signing secret, always."""
        return self._unset(http_only=True)

    def _unset(self, *, http_only: bool) -> list[str]:
        needed = ["SLACK_BOT_TOKEN"] if self.slack_bot_token is None else []
        if self.slack_signing_secret is None and (http_only or self.slack_app_token is None):
            needed.append("SLACK_SIGNING_SECRET" if http_only else "SLACK_APP_TOKEN or SLACK_SIGNING_SECRET")
        if self.vacancy_channel is None:
            needed.append("PORCHLIGHT_VACANCY_CHANNEL")
        return [_describe(name, "not set") for name in needed]

    def configure_logging(self) -> None:
        """One line per record, at PORCHLIGHT_LOG_LEVEL; libraries that log request bodies stay at INFO (bot.logs)."""
        from bot.logs import configure_logging

        configure_logging(self.log_level)


def _describe(name: str, problem: str) -> str:
    if name == "SLACK_APP_TOKEN or SLACK_SIGNING_SECRET":
        return (
            f"{name}: not set. Set SLACK_APP_TOKEN for Socket Mode (no public URL needed): "
            f"{WHERE['SLACK_APP_TOKEN']}; or SLACK_SIGNING_SECRET for HTTP mode: {WHERE['SLACK_SIGNING_SECRET']}"
        )
    return f"{name}: {problem}. Expected {WHERE.get(name, 'a valid value')}"


def load_settings(env_file: str | Path | None = ".env", **overrides: Any) -> Settings:
    """Read settings, turning pydantic's errors into one line per setting (no secret values shown)."""
    try:
        return Settings(_env_file=env_file, **overrides)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else "settings"
            name = _env_name(field)
            message = str(err["msg"]).removeprefix("Value error, ")
            problems.append(_describe(name, message))
        raise SettingsError(problems) from None


def _env_name(field: str) -> str:
    alias = Settings.model_fields[field].validation_alias if field in Settings.model_fields else None
    if isinstance(alias, str):
        return alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return field.upper()
