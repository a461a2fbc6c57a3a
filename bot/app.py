"""The one wiring place: build the database, the Slack app, the scheduler and the server from settings."""

from __future__ import annotations

import logging
import sys
import threading
from dataclasses import dataclass, field

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.errors import SlackApiError

from bot.background import AfterAck
from bot.clock import Clock, SystemClock
from bot.deps import Deps
from bot.errors import SlackUnavailable
from bot.http import HttpServer, SlackEndpoint
from bot.settings import Settings
from bot.slack.client import build_delivery_client, build_web_client
from handlers import register_all
from jobs.scheduler import OUTBOX_JOB, build_scheduler, wake
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade

log = logging.getLogger("porchlight")
SWITCH_INTERVAL_SECONDS = 0.0001


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
        logger=logging.getLogger("porchlight.bolt"),
    )
    register_all(app, deps)
    return app


@dataclass
class Runtime:
    """A running Porchlight: app, scheduler and either an HTTP server or a Socket Mode connection."""

    deps: Deps
    app: App
    host: str = "0.0.0.0"  # noqa: S104 - HTTP mode must be reachable by Slack or a proxy
    port: int | None = None
    http: HttpServer | None = None
    socket: SocketModeHandler | None = None
    stopped: threading.Event = field(default_factory=threading.Event)

    def start(self) -> Runtime:
        # Answers to Slack wait on the GIL while after-ack work runs; a shorter switch interval (default 5 ms)
        # hands it over sooner. Measured in bench/ (docs/performance.md): 0.1 ms keeps ack p99 near a bare app's.
        sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
        scheduler = build_scheduler(self.deps)
        self.deps.wake_outbox = lambda: wake(scheduler, OUTBOX_JOB)
        self._scheduler = scheduler
        scheduler.start()
        settings = self.deps.settings
        if settings.socket_mode:
            assert settings.slack_app_token is not None
            self.socket = SocketModeHandler(self.app, settings.slack_app_token.get_secret_value())
            self.socket.connect()
            log.info("Porchlight connected to Slack in Socket Mode")
        else:
            assert settings.slack_signing_secret is not None
            endpoint = SlackEndpoint(self.app, signing_secret=settings.slack_signing_secret.get_secret_value())
            self.http = HttpServer(
                endpoint, host=self.host, port=settings.port if self.port is None else self.port
            ).start()
            log.info("Porchlight listening for Slack at %s", self.http.url)
        return self

    def stop(self) -> None:
        if self.stopped.is_set():
            return
        self.stopped.set()
        if self.http is not None:
            self.http.stop()
        if self.socket is not None:
            self.socket.close()
        self.deps.after_ack.shutdown()
        self.deps.contact_log.close()
        self._scheduler.shutdown(wait=True)
        log.info("Porchlight stopped")


def start(settings: Settings, *, clock: Clock | None = None, host: str = "0.0.0.0") -> Runtime:  # noqa: S104
    """Build everything from settings and start it."""
    deps = build_deps(settings, clock=clock)
    return Runtime(deps=deps, app=build_app(deps), host=host).start()
