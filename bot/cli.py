"""The `porchlight` command: run, worker, check, export, db upgrade."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any

from bot.errors import SettingsError, SlackUnavailable
from bot.settings import Settings, load_settings

EXIT_CONFIG = 2
WORKER_NICENESS = 10


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_CONFIG
    try:
        settings = load_settings()
    except SettingsError as exc:
        return _settings_problem(exc.problems)
    settings.configure_logging()
    try:
        return int(args.func(settings, args))
    except SettingsError as exc:
        return _settings_problem(exc.problems)
    except SlackUnavailable as exc:
        print(f"porchlight: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="porchlight", description="Porchlight, the housing partners' Slack bot.")
    sub = parser.add_subparsers(title="commands")
    run = sub.add_parser("run", help="run the bot (Socket Mode if SLACK_APP_TOKEN is set, else HTTP)")
    run.set_defaults(func=_run)
    worker = sub.add_parser(
        "worker", help="only deliver posts and run scheduled work (`porchlight run` starts one beside itself)"
    )
    worker.add_argument("--supervised", action="store_true", help=argparse.SUPPRESS)  # started by `porchlight run`
    worker.set_defaults(func=_worker)
    check = sub.add_parser("check", help="check settings, database, migrations and Slack")
    check.set_defaults(func=_check)
    export = sub.add_parser("export", help="write a CSV report (no personal data)")
    export.add_argument("what", choices=["vacancies", "referrals"])
    export.add_argument("-o", "--output", help="file to write (default: standard output)")
    export.set_defaults(func=_export)
    db = sub.add_parser("db", help="database commands")
    db_sub = db.add_subparsers(title="db commands")
    db_upgrade = db_sub.add_parser("upgrade", help="apply database migrations")
    db_upgrade.set_defaults(func=_db_upgrade)
    return parser


def _settings_problem(problems: list[str]) -> int:
    print("porchlight: these settings are missing or invalid:", file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    print("Set them in the environment or in a .env file here (README: Settings).", file=sys.stderr)
    return EXIT_CONFIG


def _run(settings: Settings, _args: Any) -> int:
    problems = settings.problems_for_run()
    if problems:
        raise SettingsError(problems)
    from bot.app import start  # the wiring imports Slack, the database and the handlers

    runtime = start(settings)
    done = _stop_on(signal.SIGTERM, signal.SIGINT)
    done.wait()
    runtime.stop()
    return 0


def _stop_on(*signums: signal.Signals) -> threading.Event:
    """An event that these signals set (logged), for a clean stop instead of dying mid-work."""
    stop = threading.Event()

    def _stop(signum: int, _frame: Any) -> None:
        logging.getLogger("porchlight").info("received %s, stopping", signal.Signals(signum).name)
        stop.set()

    for signum in signums:
        signal.signal(signum, _stop)
    return stop


def _worker(settings: Settings, args: Any) -> int:
    problems = settings.problems_for_run()
    if problems:
        raise SettingsError(problems)
    from bot.app import build_deps, serve_worker

    # Supervised, Ctrl-C reaches the server too; it stops this worker (by closing our stdin) once its own
    # last work is queued, so the worker delivers that before it goes.
    stop = _stop_on(signal.SIGTERM) if args.supervised else _stop_on(signal.SIGTERM, signal.SIGINT)
    if args.supervised:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        # Deliveries can wait a few milliseconds for a CPU; answers to Slack cannot. Beside its server, the
        # worker yields the CPU to it (measured: docs/performance.md).
        os.nice(WORKER_NICENESS)
    serve_worker(build_deps(settings), sys.stdin.buffer if args.supervised else None, stop=stop)
    return 0


def _db_upgrade(settings: Settings, _args: Any) -> int:
    from storage.db import make_engine
    from storage.migrate import current_revision, upgrade

    engine = make_engine(settings.database_url)
    upgrade(engine)
    print(f"database at revision {current_revision(engine)}")
    return 0


def _export(settings: Settings, args: Any) -> int:
    from bot.domain.export import write_csv
    from storage.db import make_engine, make_session_factory
    from storage.migrate import is_current

    engine = make_engine(settings.database_url)
    if not is_current(engine):
        print("porchlight: the database is not at the newest revision; run: porchlight db upgrade", file=sys.stderr)
        return 1
    with make_session_factory(engine)() as session:
        if args.output:
            with open(args.output, "w", newline="", encoding="utf-8") as out:
                count = write_csv(session, args.what, out)
            print(f"wrote {count} {args.what} to {args.output}", file=sys.stderr)
        else:
            write_csv(session, args.what, sys.stdout)
    return 0


def _check(settings: Settings, _args: Any) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from bot.checks import run_checks

    try:
        results = run_checks(settings)
    except SQLAlchemyError as exc:
        print(f"porchlight: database: {type(exc).__name__}", file=sys.stderr)
        return 1
    for ok, line in results:
        print(f"{'ok  ' if ok else 'FAIL'} {line}")
    return 0 if all(ok for ok, _ in results) else 1
