"""One logging setup for every entry point (the CLI and the WSGI application).

Logs may carry ids, counts and references, never client codes or free text, at any level. Our own lines keep to
that; the libraries below do not: at DEBUG, slack_sdk writes every request body it sends (client codes, notes, DM
text), Bolt every payload and ack it handles, SQLAlchemy every statement and the rows it reads. So they stay at
INFO or above whatever PORCHLIGHT_LOG_LEVEL is, and `PORCHLIGHT_LOG_LEVEL=DEBUG` shows Porchlight's lines only.
"""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Loggers that see Slack's payloads or our HTTP bodies: never below INFO. `porchlight.bolt` is the logger we
# give Bolt (and through it the Socket Mode client), so it is theirs, not ours.
WIRE_LOGGERS = ("slack_sdk", "slack_bolt", "porchlight.bolt", "urllib3", "httpx", "httpcore", "websockets")
# SQLAlchemy logs each statement at INFO and each row read at DEBUG: never below WARNING.
SQL_LOGGERS = ("sqlalchemy",)
# Alembic says nine things at INFO on every start (plugins, "Context impl", ...), APScheduler two ("Adding job
# tentatively"): only worth reading at DEBUG.
CHATTY_LOGGERS = ("alembic", "apscheduler")


def configure_logging(level: str) -> None:
    """One line per record at `level` (a WSGI server's own handlers, if it set any, win), with the libraries
    above held back. Safe to call more than once."""
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        numeric = logging.INFO
    logging.basicConfig(level=numeric, format=FORMAT)
    for name in WIRE_LOGGERS:
        logging.getLogger(name).setLevel(max(numeric, logging.INFO))
    for name in SQL_LOGGERS:
        logging.getLogger(name).setLevel(max(numeric, logging.WARNING))
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if numeric <= logging.DEBUG else max(numeric, logging.WARNING))
