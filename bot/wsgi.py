"""HTTP mode behind a WSGI server of your choice, for serving Slack from several processes:

    gunicorn --workers 4 --threads 8 --bind 0.0.0.0:3000 'bot.wsgi:create_application()'
    porchlight worker     # beside them (one or more, on any host): delivers posts and runs scheduled work

Each serving process answers Slack and saves; the worker delivers from the database. Nothing else is shared
(DESIGN §5). `porchlight run` wakes its own worker the moment there is a card to post; a worker beside a WSGI
server is not told, so a card waits for the worker's next tick instead: a second at most.
"""

from __future__ import annotations

import atexit
import logging

from bot.errors import SettingsError
from bot.http import SlackEndpoint
from bot.settings import Settings, load_settings


def create_application(settings: Settings | None = None) -> SlackEndpoint:
    """The WSGI application for /slack/events and /health, built from settings (the environment and .env)."""
    settings = settings or load_settings()
    problems = settings.problems_for_http()
    if problems:
        raise SettingsError(problems)
    settings.configure_logging()
    from bot.app import build_app, build_deps

    deps = build_deps(settings)
    app = build_app(deps)
    assert settings.slack_signing_secret is not None

    def finish() -> None:  # the WSGI server is stopping this process: save what listeners left after their ack
        deps.after_ack.shutdown()
        deps.contact_log.close()

    atexit.register(finish)
    logging.getLogger("porchlight").info("Porchlight's WSGI application is ready (HTTP mode)")
    return SlackEndpoint(app, signing_secret=settings.slack_signing_secret.get_secret_value())
