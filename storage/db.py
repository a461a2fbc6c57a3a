"""Engines and sessions: SQLite with WAL, foreign keys and a busy timeout; PostgreSQL through its URL."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 10_000


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for `url`; postgresql:// URLs use the psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, **kwargs)
    return create_engine(parsed, pool_pre_ping=True, **kwargs)


def _sqlite_engine(url: Any, **kwargs: Any) -> Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
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
