"""HTTP mode: a WSGI endpoint at /slack/events that refuses bad signatures (401) and bad bodies (400)."""

from __future__ import annotations

import json
import logging
import socketserver
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App, BoltRequest
from slack_sdk.signature import Clock, SignatureVerifier

from bot.slack import payloads
from bot.slack.guard import reference, response_url_client

log = logging.getLogger("porchlight.http")
PATH = "/slack/events"
MAX_BODY = 1_000_000
StartResponse = Callable[..., Any]


class SlackEndpoint:
    """WSGI application: checks the request, then hands it to Bolt. Nothing a client sends gets a 5xx."""

    def __init__(self, app: App, *, signing_secret: str, clock: Callable[[], float] = time.time) -> None:
        self.app = app
        self.verifier = SignatureVerifier(signing_secret, clock=_Clock(clock))

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "")
        if path == "/health" and method == "GET":
            return _reply(start_response, 200, {"ok": True})
        if path != PATH:
            return _reply(start_response, 404, {"error": "not found"})
        if method != "POST":
            return _reply(start_response, 405, {"error": "method not allowed"})
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _refuse(start_response, 400, "bad content length")
        if length < 0 or length > MAX_BODY:
            return _refuse(start_response, 413, "body too large")
        try:
            raw = environ["wsgi.input"].read(length)
        except OSError:  # the client stopped sending (the server's socket timeout) or went away
            return _refuse(start_response, 408, "body not received in time")
        headers = _headers(environ)
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            return _refuse(start_response, 400, "body is not UTF-8")
        if not self._signed(body, headers):
            return _refuse(start_response, 401, "signature missing, stale or wrong", status_text="invalid request")
        try:
            bolt_headers: dict[str, str | Sequence[str]] = dict(headers)
            request = BoltRequest(body=body, query=environ.get("QUERY_STRING", ""), headers=bolt_headers)
        except RecursionError:  # signed JSON nested thousands deep: the parser gives up before we can look
            return _refuse(start_response, 400, "body nested too deeply", status_text="malformed body")
        except (ValueError, TypeError, AttributeError, KeyError):  # not JSON, or JSON that is not an object
            return _refuse(start_response, 400, "body is not a Slack payload", status_text="malformed body")
        if not request.body or not isinstance(request.body, dict):
            return _refuse(start_response, 400, "body is not a Slack payload", status_text="malformed body")
        if problem := payloads.problem(request.body):
            return self._malformed(request.body, problem, start_response)
        return self._dispatch(request, start_response)

    def _signed(self, body: str, headers: dict[str, str]) -> bool:
        try:
            return self.verifier.is_valid_request(body, headers)
        except (ValueError, TypeError, OverflowError):  # a timestamp that is not a number: not from Slack
            return False

    def _malformed(self, body: dict[str, Any], problem: str, start_response: StartResponse) -> list[bytes]:
        """Signed, so it came from Slack (or replays what Slack sent), but not in a shape we can act on.

        A click or submission gets the plain 200 Slack expects, with nothing done; the clicker is told to try
        again through the click's response_url, after this answer. Anything else gets a 400.
        """
        if not payloads.is_interactive(body):
            return _refuse(start_response, 400, f"malformed payload: {problem}", status_text="malformed body")
        log.warning("ignored a malformed %s payload: %s", body.get("type"), problem)
        url = body.get("response_url")
        if isinstance(url, str) and url.startswith(("https://", "http://")):
            threading.Thread(target=_tell_try_again, args=(url,), name="porchlight-try-again", daemon=True).start()
        start_response("200 OK", [("Content-Length", "0")])
        return [b""]

    def _dispatch(self, request: BoltRequest, start_response: StartResponse) -> list[bytes]:
        try:
            response = self.app.dispatch(request)
        except Exception:
            # Bolt's own handler (bot.slack.guard.install) answers for what goes wrong inside it; this is what
            # it missed. Slack would retry a 5xx event and show a 5xx click as an error: neither helps.
            ref = reference()
            log.exception("request failed (ref %s)", ref)
            start_response("200 OK", [("Content-Length", "0")])
            return [b""]
        out_headers = [(k, v) for k, values in response.headers.items() for v in values]
        start_response(f"{response.status} {_REASONS.get(response.status, '')}".strip(), out_headers)
        return [response.body.encode("utf-8")]


TRY_AGAIN = "That didn't work, and nothing was changed. Please try again."


def _tell_try_again(url: str) -> None:
    try:
        response_url_client(url).send_dict({"text": TRY_AGAIN, "response_type": "ephemeral", "replace_original": False})
    except Exception as exc:  # nobody to tell: the request was logged already
        log.warning("could not tell a clicker to try again: %s", type(exc).__name__)


def _refuse(start_response: StartResponse, status: int, why: str, *, status_text: str | None = None) -> list[bytes]:
    """One log line (never the body: it may carry what a person typed), and a 4xx."""
    log.warning("refused a request to %s (%s): %s", PATH, status, why)
    return _reply(start_response, status, {"error": status_text or why})


class _Clock(Clock):
    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now

    def now(self) -> float:
        return self._now()


_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed",
            408: "Request Timeout", 413: "Payload Too Large", 500: "Internal Server Error"}  # fmt: skip


def _reply(start_response: StartResponse, status: int, body: dict[str, Any]) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(f"{status} {_REASONS[status]}", [("Content-Type", "application/json"),
                                                    ("Content-Length", str(len(data)))])  # fmt: skip
    return [data]


def _headers(environ: dict[str, Any]) -> dict[str, str]:
    headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    return headers


# A client that has not sent its whole request after this long is cut off: Slack sends at once, and a thread
# held by a half-sent request is a thread nobody else gets (300 of them held 300 threads for good).
READ_TIMEOUT_SECONDS = 5.0
# At most this many connections are served at once; the next wait (up to QUEUE_WAIT_SECONDS, with the listen
# backlog behind them) for one to finish, and are then closed unanswered rather than given a thread of their own.
MAX_CONNECTIONS = 64
QUEUE_WAIT_SECONDS = 2.0
LISTEN_BACKLOG = 128


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG
    max_connections = MAX_CONNECTIONS
    queue_wait = QUEUE_WAIT_SECONDS

    def server_activate(self) -> None:
        self._slots = threading.BoundedSemaphore(self.max_connections)
        super().server_activate()

    def process_request(self, request: Any, client_address: Any) -> None:
        # Runs on the accepting thread: while every slot is taken, new connections wait in the backlog.
        if not self._slots.acquire(timeout=self.queue_wait):
            log.warning("refused a connection: %d connections are already being served", self.max_connections)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # socketserver prints a traceback to stderr; a client that was too slow or went away is one line.
        error = sys.exc_info()[1]
        if isinstance(error, OSError):  # TimeoutError included: cut off after READ_TIMEOUT_SECONDS
            log.info("closed a connection: %s", type(error).__name__)
            return
        log.error("the HTTP server failed on a connection (ref %s)", reference(), exc_info=error)


class _QuietHandler(WSGIRequestHandler):
    disable_nagle_algorithm = True  # small writes go out at once (no 40 ms wait for a delayed ACK)
    timeout = READ_TIMEOUT_SECONDS  # socket timeout for every read and write of this connection

    def log_message(self, format: str, *args: Any) -> None:
        log.debug(format, *args)


class HttpServer:
    """Serve a WSGI app on host:port (0 = any free port) in a background thread.

    Each connection gets `read_timeout` seconds per read or write, and at most `max_connections` are served
    at once (see READ_TIMEOUT_SECONDS and MAX_CONNECTIONS).
    """

    def __init__(
        self,
        wsgi_app: Any,
        *,
        host: str,
        port: int,
        read_timeout: float = READ_TIMEOUT_SECONDS,
        max_connections: int = MAX_CONNECTIONS,
        queue_wait: float = QUEUE_WAIT_SECONDS,
    ) -> None:
        server_class = type("_BoundedServer", (_ThreadingWSGIServer,), {
            "max_connections": max_connections, "queue_wait": queue_wait,
        })  # fmt: skip
        handler_class = type("_Handler", (_QuietHandler,), {"timeout": read_timeout})
        self._server: WSGIServer = make_server(host, port, wsgi_app, server_class, handler_class)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name="porchlight-http", daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{PATH}"

    def start(self) -> HttpServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
