"""The one wiring place: build the database, the Slack app, the scheduler and the server from settings."""

from __future__ import annotations

import errno
import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO

from apscheduler.schedulers.background import BackgroundScheduler
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk.errors import SlackApiError

from bot.background import AfterAck
from bot.claimant import claimant_from_env
from bot.clock import Clock, SystemClock
from bot.delivery import Plugins
from bot.deps import Deps
from bot.errors import CannotServe, SlackUnavailable
from bot.http import HttpServer, SlackEndpoint
from bot.settings import Settings
from bot.slack import guard, zones
from bot.slack.client import build_delivery_client, build_web_client, connect_socket_mode
from bot.worker import WorkerProcess, default_command, read_wakes
from handlers import register_all
from jobs import outbox
from jobs.features import checkins, escalations, housekeeping, partners, properties, referrals, report, vacancies
from jobs.scheduler import OutboxWaker, build_scheduler
from storage import outbox as outbox_rows
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade

log = logging.getLogger("porchlight")


class _SameToken(logging.Filter):
    """Bolt warns that SLACK_BOT_TOKEN (which it reads from the environment itself) is unused because a client
    was given; our client carries that very token, so the warning would only alarm whoever reads the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


BOLT_LOG = logging.getLogger("porchlight.bolt")
BOLT_LOG.addFilter(_SameToken())


# What each feature plugs into the engine (jobs/features/<feature>.py), in the order they register.
FEATURES = (
    vacancies,
    referrals,
    properties,
    escalations,
    checkins,
    housekeeping,
    partners,
    report,
)


def wire(plugins: Plugins) -> Plugins:
    """Every feature's outbox kinds, reminder kinds and scheduled jobs, as handlers.register_all does listeners."""
    for feature in FEATURES:
        feature.register(plugins)
    return plugins


def build_deps(settings: Settings, *, clock: Clock | None = None) -> Deps:
    """Open the database (migrating it to the newest revision) and build the Slack client."""
    engine = make_engine(settings.database_url)
    upgrade(engine)
    return Deps(
        settings=settings,
        session_factory=make_session_factory(engine),
        clock=clock or SystemClock(),
        client=build_web_client(settings),
        delivery_client=build_delivery_client(settings),
        after_ack=AfterAck(),
        plugins=wire(Plugins()),
    )


def build_app(deps: Deps) -> App:
    """The Bolt app with every listener registered, after checking the bot token with auth.test."""
    settings = deps.settings
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    try:
        identity = deps.client.auth_test()
    except SlackApiError as exc:
        raise SlackUnavailable(
            f"Slack refused SLACK_BOT_TOKEN ({exc.response.get('error')}). Copy the Bot User OAuth Token "
            'from your app\'s "OAuth & Permissions" page again.'
        ) from None
    except OSError as exc:
        raise SlackUnavailable(f"could not reach Slack at {settings.slack_api_url}: {exc}") from None
    deps.home_team = identity.get("team_id")
    app = App(
        client=deps.client,
        signing_secret=secret,
        request_verification_enabled=secret is not None,
        token_verification_enabled=False,  # checked just above, with a message a person can act on
        # Listeners ack after their (short) work; this answers Slack as soon as they return.
        process_before_response=True,
        logger=BOLT_LOG,
    )
    guard.install(app)  # before the listeners: Bolt answers its own errors with one line and no 5xx
    register_all(app, deps)
    return app


@dataclass
class Runtime:
    """A running Porchlight: the app on an HTTP server or a Socket Mode connection, and the scheduler.

    With `worker_command`, the scheduler (outbox delivery, scheduled work) runs in that separate process, which
    `porchlight run` always uses; without it, in this process (tests and embedded use).
    """

    deps: Deps
    app: App
    host: str = "0.0.0.0"  # noqa: S104 - HTTP mode must be reachable by Slack or a proxy
    port: int | None = None
    worker_command: Sequence[str] | None = None
    http: HttpServer | None = None
    socket: SocketModeHandler | None = None
    worker: WorkerProcess | None = None
    stopped: threading.Event = field(default_factory=threading.Event)

    def start(self) -> Runtime:
        self._scheduler: BackgroundScheduler | None = None
        if self.worker_command is not None:
            self.worker = WorkerProcess(self.worker_command, on_exit=self._release_claims).start()
            self.deps.wake_outbox = self.worker.wake
        else:
            scheduler = self._scheduler = build_scheduler(self.deps)
            self.deps.wake_outbox = self._waker = OutboxWaker(scheduler)
            scheduler.start()
        try:
            self._serve()
        except BaseException:
            self.stop()  # the worker (or scheduler) started above goes too: nothing is left running
            raise
        # Reminders read each person's own time zone when they are created: learn the coordinators' now.
        zones.learn_soon(self.deps, self.deps.client, zones.staff_on_call(self.deps))
        return self

    def _serve(self) -> None:
        settings = self.deps.settings
        if settings.socket_mode:
            assert settings.slack_app_token is not None
            socket = SocketModeHandler(self.app, settings.slack_app_token.get_secret_value())
            try:
                connect_socket_mode(socket)  # a refused SLACK_APP_TOKEN is one SlackUnavailable line
            except BaseException:
                socket.close()  # type: ignore[no-untyped-call]
                raise
            self.socket = socket
            log.info("Porchlight connected to Slack in Socket Mode")
        else:
            assert settings.slack_signing_secret is not None
            endpoint = SlackEndpoint(self.app, signing_secret=settings.slack_signing_secret.get_secret_value())
            port = settings.port if self.port is None else self.port
            try:
                self.http = HttpServer(endpoint, host=self.host, port=port).start()
            except OSError as exc:
                advice = (
                    "another program (perhaps another Porchlight) is using it; stop that one or set PORCHLIGHT_PORT"
                    if exc.errno == errno.EADDRINUSE
                    else "set PORCHLIGHT_PORT to a port this user may open (1024 or above, behind a proxy)"
                )
                raise CannotServe(f"cannot listen on port {port} ({exc.strerror}): {advice}") from None
            log.info("Porchlight listening for Slack at %s", self.http.url)

    def _release_claims(self, claimant: str) -> None:
        """Our worker has exited: the rows it was delivering go back to the queue now, not in a minute."""
        with self.deps.session_factory.begin() as session:
            released = outbox_rows.release(session, claimant)
        if released:
            log.warning(
                "released %s deliveries the worker left unfinished; each is looked for in Slack first", released
            )
            self.deps.wake_outbox()

    def stop(self) -> None:
        if self.stopped.is_set():
            return
        self.stopped.set()
        if self.http is not None:
            self.http.stop()
        if self.socket is not None:
            self.socket.close()  # type: ignore[no-untyped-call]
        self.deps.after_ack.shutdown()  # its last saves wake the worker, which delivers them before it stops
        self.deps.contact_log.close()
        if self.worker is not None:
            self.worker.stop()
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=True)
            self._waker.close()
        log.info("Porchlight stopped")


def serve_worker(deps: Deps, wakes: IO[bytes] | None, *, stop: threading.Event | None = None) -> None:
    """The worker process: run the scheduler until `wakes` ends (the server closed it or died) or `stop` is set.

    Each read from `wakes` runs the outbox now. With no `wakes` (a worker run by hand), only `stop` ends it.
    """
    deps.claimant = claimant_from_env() or deps.claimant  # the name our server knows us by
    scheduler = build_scheduler(deps)
    deps.wake_outbox = waker = OutboxWaker(scheduler)
    scheduler.start()
    log.info("worker %s delivering and running scheduled work", os.getpid())
    stop = stop or threading.Event()
    try:
        if wakes is None:
            stop.wait()
        else:
            read_wakes(wakes, deps.wake_outbox, stop)
    finally:
        scheduler.shutdown(wait=True)
        waker.close()
        # The server's last saves woke us just before it closed our stdin: deliver what is due before going.
        try:
            outbox.run(deps=deps)
        except Exception:
            log.exception("the worker's last delivery pass failed; what is left is delivered at the next start")
        deps.after_ack.shutdown()
        deps.contact_log.close()
        log.info("worker %s stopped", os.getpid())


def start(settings: Settings, *, host: str = "0.0.0.0") -> Runtime:  # noqa: S104
    """Build everything from settings and start it: this process serves Slack, a worker process delivers."""
    deps = build_deps(settings)
    return Runtime(deps=deps, app=build_app(deps), host=host, worker_command=default_command()).start()
