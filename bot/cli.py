"""The `porchlight` command: run, worker, check, export, report, db upgrade.

Every mistake an operator can make (a missing or malformed setting, a token Slack refuses, a database that cannot
be opened, a port in use) ends in one line saying what to do, and exit status 2; never a traceback. `check` says
more through its status: see CHECK_EXIT_CODES.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any

from bot.errors import CannotServe, SettingsError, SlackUnavailable
from bot.settings import Settings, load_settings

EXIT_OK = 0
EXIT_CHECK_FAILED = 1  # `check`: something it checked is wrong (database, migrations, Slack)
EXIT_CONFIG = 2  # a malformed setting, or any other operator mistake that stops a command
EXIT_SETTINGS_MISSING = 3  # `check` only: a setting `run` needs is not set (the other checks still ran)
WORKER_NICENESS = 10
CHECK_EXIT_CODES = (
    "exit status: 0 all is well; 1 a check failed (database, migrations or Slack); 2 a setting is malformed "
    "(nothing else is checked); 3 a setting that `porchlight run` needs is not set (the other checks still run)"
)
log = logging.getLogger("porchlight")


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
    from sqlalchemy.exc import SQLAlchemyError

    from storage.db import DatabaseUnavailable, reason, safe_url

    try:
        return int(args.func(settings, args))
    except SettingsError as exc:
        return _settings_problem(exc.problems)
    except (SlackUnavailable, CannotServe, DatabaseUnavailable) as exc:
        return _stop_with(str(exc))
    except SQLAlchemyError as exc:
        # The database went away after the first connection (the parameters are hidden: storage.db).
        log.debug("database error", exc_info=True)
        return _stop_with(f"database error at {safe_url(settings.database_url)}: {reason(exc)}")
    except KeyboardInterrupt:
        return 130


def _stop_with(line: str) -> int:
    print(f"porchlight: {line}", file=sys.stderr)
    return EXIT_CONFIG


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="porchlight",
        description="Porchlight, the housing partners' Slack bot. Settings come from the environment and .env "
        "(README: Settings).",
        epilog="A missing or malformed setting, or anything else an operator must fix, exits with status 2.",
    )
    sub = parser.add_subparsers(title="commands")
    _command(sub, "run", _run, "run the bot (Socket Mode if SLACK_APP_TOKEN is set, else HTTP)",
             "Apply database migrations, connect to Slack (Socket Mode when SLACK_APP_TOKEN is set, otherwise "
             "serve HTTP on PORCHLIGHT_PORT at /slack/events) and start a worker process that delivers posts and "
             "runs scheduled work. SIGTERM or Ctrl-C stops both cleanly.")  # fmt: skip
    worker = _command(sub, "worker", _worker,
                      "only deliver posts and run scheduled work (`porchlight run` starts one beside itself)",
                      "Deliver the outbox and run scheduled work, without answering Slack: run one or more beside "
                      "a WSGI server (bot.wsgi), anywhere that reaches the database.")  # fmt: skip
    worker.add_argument("--supervised", action="store_true", help=argparse.SUPPRESS)  # started by `porchlight run`
    check = _command(sub, "check", _check, "check settings, database, migrations and Slack",
                     "Check the settings, that the database opens (a new one is fine: `run` creates it), its "
                     "migrations, and that Slack accepts the tokens. Prints one line per check and changes "
                     "nothing.")  # fmt: skip
    check.epilog = CHECK_EXIT_CODES
    export = _command(sub, "export", _export, "write a CSV report (no personal data)",
                      "Write the vacancies, the referrals or the escalations as CSV: unit facts, categories, times "
                      "and outcomes, never client codes or free-text notes.")  # fmt: skip
    export.add_argument("what", choices=["vacancies", "referrals", "escalations"], help="which report")
    export.add_argument("-o", "--output", help="file to write (default: standard output)")
    sandbox = _command(sub, "sandbox", _sandbox, "run against a local Slack workspace, with a web page",
                       "Start a local Slack workspace, Porchlight connected to it (SQLite, made afresh each "
                       "run) and a web page on 127.0.0.1 to use it as anyone; prints the URL. No Slack account "
                       "needed.")  # fmt: skip
    sandbox.add_argument("--demo", action="store_true", help="start with demo properties, units and a referral")
    sandbox.add_argument("--port", help="the page's port (default 3980)")
    sandbox.add_argument("--database", help="the SQLite file (default ./porchlight-sandbox.db)")
    report = _command(sub, "report", _report, "write the monthly report: an HTML page and a PNG of each chart",
                      "Write the coordinator's report (the board, referrals, escalations, check-ins, the partner "
                      "network) as one self-contained HTML page and a PNG per chart, and print where they are. "
                      "Default: the last full month. No names, notes or client codes; small counts of households "
                      "read 'fewer than N' (PORCHLIGHT_REPORT_MIN_COUNT).")  # fmt: skip
    report.add_argument("--month", help="the month, YYYY-MM")
    report.add_argument("--from", dest="start", help="the first day, YYYY-MM-DD (with --to)")
    report.add_argument("--to", dest="last", help="the last day, YYYY-MM-DD (with --from)")
    report.add_argument("--change", help="a test of change: every measure before and after this day, YYYY-MM-DD")
    report.add_argument("-o", "--output", default="porchlight-report", help="the folder (default ./porchlight-report)")
    agenda = sub.add_parser("agenda", help="check-in agendas", description="Check-in agendas.")
    preview = _command(agenda.add_subparsers(title="agenda commands"), "preview", _agenda_preview,
                       "print a property's next check-in agenda without posting it",
                       "Print the next agenda of a property's check-in (or of a meeting, by name) as it would be "
                       "posted now: sections in order, items with their age, what the board adds. Nothing is "
                       "posted or changed.")  # fmt: skip
    preview.add_argument("property", help="the property's name (or the meeting's)")
    db = sub.add_parser("db", help="database commands", description="Database commands.")
    db_sub = db.add_subparsers(title="db commands")
    _command(db_sub, "upgrade", _db_upgrade, "apply database migrations",
             "Create the database's tables, or bring them to the newest revision (`run` does this too).")  # fmt: skip
    return parser


def _command(sub: Any, name: str, func: Any, summary: str, description: str) -> argparse.ArgumentParser:
    """A sub-command whose own --help page says what it does, not only its summary in the list."""
    command: argparse.ArgumentParser = sub.add_parser(name, help=summary, description=description)
    command.set_defaults(func=func)
    return command


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
    _open_database(settings)  # an unreachable database is one line, before anything starts
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
    _open_database(settings)
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


def _sandbox(_settings: Settings, args: Any) -> int:
    """The launcher lives in sandbox/, which the application never imports (tests/test_architecture.py): this
    process becomes `python -m sandbox.launch` instead."""
    argv = [sys.executable, "-m", "sandbox.launch", *(["--demo"] if args.demo else [])]
    argv += [f"--{name}={value}" for name in ("port", "database") if (value := getattr(args, name)) is not None]
    if os.name == "posix":
        os.execv(sys.executable, argv)  # noqa: S606 - our own interpreter and module, no shell
    import subprocess

    return subprocess.run(argv, check=False).returncode  # noqa: S603


def _open_database(settings: Settings) -> Any:
    """An engine on DATABASE_URL that has connected once (DatabaseUnavailable, one line, if it cannot)."""
    from storage.db import make_engine, probe

    engine = make_engine(settings.database_url)
    probe(engine)
    return engine


def _db_upgrade(settings: Settings, _args: Any) -> int:
    from storage.migrate import current_revision, upgrade

    engine = _open_database(settings)
    upgrade(engine)
    print(f"database at revision {current_revision(engine)}")
    return 0


def _export(settings: Settings, args: Any) -> int:
    from bot.domain.export import write_csv
    from storage.db import make_session_factory, safe_url, sqlite_file
    from storage.migrate import is_current

    path = sqlite_file(settings.database_url)
    if path is not None and not path.exists():
        # Opening it would create an empty database here, which a later `run` in the right folder would not see.
        return _stop_with(
            f"nothing to export yet: there is no database at {safe_url(settings.database_url)} "
            "(run this where `porchlight run` runs, or set DATABASE_URL)"
        )
    engine = _open_database(settings)
    if not is_current(engine):
        return _stop_with("the database is not at the newest revision; run: porchlight db upgrade")
    with make_session_factory(engine)() as session:
        if not args.output:
            write_csv(session, args.what, sys.stdout)
            return EXIT_OK
        try:
            out = open(args.output, "w", newline="", encoding="utf-8")  # noqa: SIM115 - closed just below
        except OSError as exc:
            return _stop_with(f"cannot write {args.output}: {exc.strerror}")
        with out:
            count = write_csv(session, args.what, out)
        print(f"wrote {count} {args.what} to {args.output}", file=sys.stderr)
    return EXIT_OK


def _report(settings: Settings, args: Any) -> int:
    from pathlib import Path

    from bot.clock import SystemClock
    from bot.domain import report as figures
    from bot.report_render import write
    from storage.db import make_session_factory
    from storage.migrate import is_current

    today = SystemClock().now().astimezone(settings.zone).date()
    try:
        period, change = figures.period_from(today, month=args.month, start=args.start, last=args.last,
                                             change=args.change)  # fmt: skip
    except ValueError as exc:
        return _stop_with(str(exc))
    engine = _open_database(settings)
    if not is_current(engine):
        return _stop_with("the database is not at the newest revision; run: porchlight db upgrade")
    with make_session_factory(engine)() as session:
        pack = figures.pack(session, period, change=change, zone=settings.zone, min_count=settings.report_min_count,
                            today=today)  # fmt: skip
    try:
        written = write(pack, Path(args.output))
    except OSError as exc:
        return _stop_with(f"cannot write the report in {args.output}: {exc.strerror}")
    print(f"report for {pack.report.period.label}: {written[0]}")
    print(f"charts ({len(written) - 1} PNG files) in {written[0].parent}")
    return EXIT_OK


def _agenda_preview(settings: Settings, args: Any) -> int:
    from bot.clock import SystemClock
    from bot.domain import checkins
    from bot.slack.blocks.checkins import agenda_text
    from storage.db import make_session_factory
    from storage.migrate import is_current

    engine = _open_database(settings)
    if not is_current(engine):
        return _stop_with("the database is not at the newest revision; run: porchlight db upgrade")
    with make_session_factory(engine)() as session:
        meeting = checkins.find_meeting(session, args.property)
        if meeting is None:
            return _stop_with(f"no check-in is set up for {args.property!r} (coordinators set it in the property form)")
        view = checkins.upcoming_view(session, meeting, now=SystemClock().now(), country=settings.holidays)
        print(agenda_text(view))
    return EXIT_OK


def _check(settings: Settings, _args: Any) -> int:
    from bot.checks import run_checks

    results = run_checks(settings)
    for ok, line in results:
        print(f"{'ok  ' if ok else 'FAIL'} {line}")
    if settings.problems_for_run():
        return EXIT_SETTINGS_MISSING
    return EXIT_OK if all(ok for ok, _ in results) else EXIT_CHECK_FAILED
