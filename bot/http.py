"""HTTP mode: a WSGI endpoint at /slack/events that refuses bad signatures (401) and bad bodies (400)."""

from __future__ import annotations

import json
import logging
import socketserver
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from slack_bolt import App, BoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.slack.guard import reference

log = logging.getLogger("porchlight.http")
PATH = "/slack/events"
MAX_BODY = 1_000_000
StartResponse = Callable[..., Any]


class SlackEndpoint:
    """WSGI application: checks the request, then hands it to Bolt."""

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
            return _reply(start_response, 400, {"error": "bad content length"})
        if length < 0 or length > MAX_BODY:
            return _reply(start_response, 413, {"error": "body too large"})
        raw = environ["wsgi.input"].read(length)
        headers = _headers(environ)
        try:
            body = raw.decode("utf-8")
        except UnicodeDecodeError:
            return _reply(start_response, 400, {"error": "body is not UTF-8"})
        if not self.verifier.is_valid_request(body, headers):
            return _reply(start_response, 401, {"error": "invalid request"})
        try:
            request = BoltRequest(body=body, query=environ.get("QUERY_STRING", ""), headers=headers)
        except (ValueError, TypeError, AttributeError, KeyError):  # not JSON, or JSON that is not an object
            return _reply(start_response, 400, {"error": "malformed body"})
        if not request.body or not isinstance(request.body, dict):
            return _reply(start_response, 400, {"error": "malformed body"})
        return self._dispatch(request, start_response)

    def _dispatch(self, request: BoltRequest, start_response: StartResponse) -> Any:
        try:
            response = self.app.dispatch(request)
        except Exception:
            ref = reference()
            log.exception("request failed (ref %s)", ref)
            return _reply(start_response, 500, {"error": f"internal error, ref {ref}"})
        out_headers = [(k, v) for k, values in response.headers.items() for v in values]
        start_response(f"{response.status} {_REASONS.get(response.status, '')}".strip(), out_headers)
        return [response.body.encode("utf-8")]


class _Clock:
    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now

    def now(self) -> float:
        return self._now()


_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed",
            413: "Payload Too Large", 500: "Internal Server Error"}  # fmt: skip


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


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    disable_nagle_algorithm = True  # small writes go out at once (no 40 ms wait for a delayed ACK)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug(format, *args)


class HttpServer:
    """Serve a WSGI app on host:port (0 = any free port) in a background thread."""

    def __init__(self, wsgi_app: Any, *, host: str, port: int) -> None:
        self._server = make_server(host, port, wsgi_app, _ThreadingWSGIServer, _QuietHandler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name="porchlight-http", daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{PATH}"

    def start(self) -> HttpServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
