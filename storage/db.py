"""Engines and sessions: SQLite with WAL, foreign keys and a busy timeout; PostgreSQL through its URL."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 10_000
REASON_MAX_CHARS = 200


class DatabaseUnavailable(Exception):
    """The database cannot be opened. The message names it (without its password) and says why in one line, and
    carries nothing else: it is printed to the operator as it is."""


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for `url`; postgresql:// URLs use the psycopg 3 driver.

    Statement parameters are hidden from errors: a failing INSERT would otherwise put a client code or a note
    into the log line (and the traceback) that reports it.
    """
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    kwargs.setdefault("hide_parameters", True)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, **kwargs)
    return create_engine(parsed, pool_pre_ping=True, **kwargs)


def safe_url(url: str | URL) -> str:
    """The database's URL as an operator may see it: the password masked."""
    return make_url(url).render_as_string(hide_password=True)


def sqlite_file(url: str | URL) -> Path | None:
    """The file a sqlite:// URL names (which may not exist yet); None for other databases and :memory:."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def probe(engine: Engine) -> None:
    """Connect once, so a wrong or unreachable DATABASE_URL is one line at start-up instead of a traceback."""
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except (SQLAlchemyError, OSError) as exc:
        raise DatabaseUnavailable(f"cannot open the database at {safe_url(engine.url)}: {reason(exc)}") from None


def reason(exc: BaseException) -> str:
    """The driver's own first line (e.g. "connection refused", "password authentication failed for user ..."),
    never the statement or its parameters."""
    cause = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    text = lines[0] if lines else type(cause).__name__
    return text if len(text) <= REASON_MAX_CHARS else text[: REASON_MAX_CHARS - 3] + "..."


def _sqlite_engine(url: Any, **kwargs: Any) -> Engine:
    if url.database and url.database != ":memory:":
        try:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseUnavailable(
                f"cannot create the folder of the database at {safe_url(url)}: {exc.strerror}"
            ) from None
    engine = create_engine(
        url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (so BEGIN IMMEDIATE works).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    # SQLite has one writer at a time. Threads of this process queue on a lock (woken the moment it is free);
    # other processes wait through busy_timeout, whose waits are sleeps of up to 100 ms.
    writer = threading.Lock()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        info = conn.connection.info
        if not info.get("holds_writer"):
            writer.acquire()
            info["holds_writer"] = True
        # Take SQLite's write lock at the start, so a writer waits instead of failing mid-way.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    def _release(dbapi_connection: Any, record: Any, *_: Any) -> None:
        if record is not None and record.info.pop("holds_writer", False):
            writer.release()

    # A connection gives the lock back when it returns to the pool, after its COMMIT or ROLLBACK has finished.
    event.listen(engine, "checkin", _release)
    event.listen(engine, "invalidate", _release)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return the factory every unit of work opens its session from (`with factory.begin() as session`)."""
    return sessionmaker(engine, expire_on_commit=False)
