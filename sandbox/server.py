"""The workspace's Web API over real HTTP on 127.0.0.1, on a port the OS chooses."""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from sandbox.workspace import ApiError, RateLimited, Workspace

if TYPE_CHECKING:
    from sandbox.socket_mode import SocketModeServer

log = logging.getLogger("sandbox")
JSON_FIELDS = ("blocks", "view", "metadata", "attachments")
# Extra routes (the web page, sandbox.web): given the request, its path and its raw query or body, answer and
# return True, or return False to leave the path to the Web API.
Routes = Callable[[BaseHTTPRequestHandler, str, str], bool]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A caller that hung up before its answer (a bot killed mid-call, in tests) is normal here."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            log.debug("client %s went away before its answer", client_address)
            return
        super().handle_error(request, client_address)


class SandboxServer:
    """Serve `workspace` at http://127.0.0.1:<port>/api/<method> until `stop()`."""

    def __init__(
        self,
        workspace: Workspace,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        socket_mode: bool = False,
        routes: Routes | None = None,
    ) -> None:
        """With `socket_mode`, also serve Slack's Socket Mode WebSocket (`self.socket`), whose URL
        `apps.connections.open` hands to a bot that presents the workspace's app-level token. `routes` answers
        paths of its own first (the web page: sandbox.web)."""
        self.workspace = workspace
        self.socket: SocketModeServer | None = None
        if socket_mode:
            from sandbox.socket_mode import SocketModeServer

            self.socket = SocketModeServer(app_id=workspace.app_id)
            workspace.socket_url = lambda: self.socket.url if self.socket is not None else ""
        workspace.upload_url = lambda file_id: f"{self.base_url}/upload/{file_id}"  # files.uploadV2's step 2
        attributes = {"workspace": workspace, "routes": staticmethod(routes) if routes else None}
        handler = type("Handler", (_Handler,), attributes)
        self._server = _Server((host, port), handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="sandbox-http", daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        # typeshed allows bytes for a socket address; an AF_INET server's host is always a str
        return f"http://{host if isinstance(host, str) else host.decode()}:{port}"

    @property
    def api_url(self) -> str:
        return self.base_url + "/api/"

    def start(self) -> SandboxServer:
        self._thread.start()
        if self.socket is not None:
            self.socket.start()
        return self

    def stop(self) -> None:
        if self.socket is not None:
            self.socket.stop()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    workspace: Workspace
    routes: Routes | None = None
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes; don't wait for an ACK

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("sandbox: " + format, *args)

    def do_GET(self) -> None:
        if self.path.startswith("/files/"):  # an uploaded file's url_private: the page shows images from here
            self._file(self.path.removeprefix("/files/").split("/", 1)[0])
            return
        self._dispatch(self.path.split("?", 1)[1] if "?" in self.path else "")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if self.path.startswith("/upload/"):  # files.uploadV2's step 2: the file's bytes, not a form
            found = self.workspace.receive_upload(self.path.removeprefix("/upload/").split("?", 1)[0], raw)
            self._send(200 if found else 404, {"ok": found})
            return
        self._dispatch(raw.decode("utf-8", errors="replace"))

    def _file(self, file_id: str) -> None:
        found = self.workspace.file_bytes(file_id)
        if found is None:
            self._send(404, {"ok": False, "error": "file_not_found"})
            return
        mimetype, data = found
        self.send_response(200)
        self.send_header("Content-Type", mimetype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Content-Security-Policy", "sandbox")  # an uploaded page runs nothing in ours
        self.end_headers()
        self.wfile.write(data)

    def _dispatch(self, raw: str) -> None:
        path = self.path.split("?", 1)[0]
        if self.routes is not None and self.routes(self, path, raw):
            return
        if path == "/_sandbox/trigger":
            self._new_trigger(raw)
        elif path.startswith("/response/"):
            self._response_url(path.removeprefix("/response/"), raw)
        elif path.startswith("/api/"):
            self._api(path.removeprefix("/api/"), raw)
        else:
            self._send(404, {"ok": False, "error": "unknown_method"})

    def _api(self, method: str, raw: str) -> None:
        fault = self.workspace.faults.take(method)
        if fault and fault.kind == "delay" and not fault.after_effect:
            time.sleep(fault.seconds)
        if fault and fault.kind == "ratelimit":
            self._send(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(fault.retry_after)})
            return
        if fault and fault.kind == "error":
            self._send(fault.status, {"ok": False, "error": fault.error})
            return
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ").strip() or None
        try:
            args = self._args(raw)
            token = token or args.pop("token", None)
            body = self.workspace.call(method, args, token)
            status = 200
        except RateLimited as exc:
            self._send(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(exc.retry_after)})
            return
        except ApiError as exc:
            body, status = {"ok": False, "error": exc.error}, 200
            if exc.detail:
                body["response_metadata"] = {"messages": [exc.detail]}
        if fault and fault.kind == "delay" and fault.after_effect:
            time.sleep(fault.seconds)
        self._send(status, body)

    def _args(self, raw: str) -> dict[str, Any]:
        if "json" in (self.headers.get("Content-Type") or ""):
            try:
                parsed = json.loads(raw or "{}")
            except ValueError as exc:
                raise ApiError("invalid_json") from exc
            if not isinstance(parsed, dict):
                raise ApiError("invalid_json")
            return parsed
        args: dict[str, Any] = {k: v[-1] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        for name in JSON_FIELDS:
            if isinstance(args.get(name), str) and args[name]:
                try:
                    args[name] = json.loads(args[name])
                except ValueError as exc:
                    raise ApiError(f"invalid_{name}_format" if name == "blocks" else "invalid_arguments") from exc
        return args

    def _new_trigger(self, raw: str) -> None:
        try:
            user = json.loads(raw or "{}").get("user")
        except (ValueError, AttributeError):
            user = None
        if user not in self.workspace.users:
            self._send(400, {"ok": False, "error": "user_not_found"})
            return
        with self.workspace.lock:
            self._send(200, {"ok": True, "trigger_id": self.workspace.new_trigger(user)})

    def _response_url(self, token: str, raw: str) -> None:
        try:
            body = json.loads(raw or "{}")
            self.workspace.respond(token, body if isinstance(body, dict) else {})
        except ValueError:
            self._send(400, {"ok": False, "error": "invalid_json"})
            return
        except ApiError as exc:
            self._send(404 if exc.error == "invalid_response_url" else 400, {"ok": False, "error": exc.error})
            return
        self._send(200, {"ok": True})

    def _send(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
