"""Slack's side of Socket Mode: the WebSocket a bot opens (its URL from `apps.connections.open`), down which
Slack pushes envelopes and up which the bot sends its acks.

Envelopes and acks are shaped as in tests/fixtures/slack/payloads/socket_mode: a `hello` on connect; then
`{"envelope_id", "type": "slash_commands" | "interactive" | "events_api", "payload", "accepts_response_payload",
"retry_attempt", "retry_reason"}`; the ack is `{"envelope_id", "payload"?}`. Uses the `websockets` library's
threaded server (a test dependency, imported only when a sandbox serves Socket Mode).
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

log = logging.getLogger("sandbox.socket_mode")
PATH = "/link"


class NotAcked(Exception):
    """The bot did not ack an envelope in time (Slack would retry an event, or show the person an error)."""


class SocketModeServer:
    """A WebSocket endpoint on 127.0.0.1 for one app; `send` pushes an envelope to the newest connection."""

    def __init__(self, *, app_id: str, host: str = "127.0.0.1") -> None:
        self.app_id = app_id
        self._lock = threading.Condition()
        self._connections: list[ServerConnection] = []
        self._acks: dict[str, dict[str, Any]] = {}
        self._server: Server = serve(self._handle, host, 0, compression=None, logger=log)
        self._thread = threading.Thread(target=self._server.serve_forever, name="sandbox-socket", daemon=True)
        self.connections_opened = 0

    @property
    def url(self) -> str:
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}{PATH}?ticket={uuid.uuid4().hex}&app_id={self.app_id}"

    def start(self) -> SocketModeServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)

    @property
    def connected(self) -> int:
        with self._lock:
            return len(self._connections)

    def wait_connected(self, timeout: float = 10.0) -> None:
        with self._lock:
            if not self._lock.wait_for(lambda: self._connections, timeout=timeout):
                raise NotAcked("no Socket Mode connection: did the bot call apps.connections.open and connect?")

    def refresh(self) -> None:
        """Ask every connected bot to reconnect, as Slack does now and then (`disconnect`, `refresh_requested`)."""
        message = json.dumps({"type": "disconnect", "reason": "refresh_requested", "debug_info": {"host": "sandbox"}})
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            connection.send(message)

    def send(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool,
        retry_attempt: int = 0,
        retry_reason: str = "",
        timeout: float = 10.0,
    ) -> dict[str, Any]:
        """Push one envelope and wait for its ack; returns the ack's payload ({} when there is none)."""
        envelope_id = str(uuid.uuid4())
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id, "type": kind, "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }  # fmt: skip
        if kind == "events_api":
            envelope.update(retry_attempt=retry_attempt, retry_reason=retry_reason)
        self.wait_connected(timeout)
        with self._lock:
            connection = self._connections[-1]
        connection.send(json.dumps(envelope))
        with self._lock:
            if not self._lock.wait_for(lambda: envelope_id in self._acks, timeout=timeout):
                raise NotAcked(f"no ack for {kind} envelope {envelope_id} within {timeout} s")
            ack = self._acks.pop(envelope_id)
        answer = ack.get("payload")
        return answer if isinstance(answer, dict) else {}

    def _handle(self, connection: ServerConnection) -> None:
        if connection.request is None or not connection.request.path.startswith(PATH):
            connection.close(code=1008, reason="unknown path")
            return
        hello = {"type": "hello", "num_connections": self.connected + 1, "connection_info": {"app_id": self.app_id},
                 "debug_info": {"host": "sandbox", "approximate_connection_time": 3600}}  # fmt: skip
        connection.send(json.dumps(hello))
        with self._lock:
            self._connections.append(connection)
            self.connections_opened += 1
            self._lock.notify_all()
        try:
            for message in connection:
                self._ack(message)
        except ConnectionClosed:
            pass
        finally:
            with self._lock:
                self._connections.remove(connection)

    def _ack(self, message: str | bytes) -> None:
        try:
            ack = json.loads(message)
        except ValueError:
            log.warning("the bot sent something that is not JSON on the socket: %r", message[:100])
            return
        if not isinstance(ack, dict) or not isinstance(ack.get("envelope_id"), str):
            log.warning("the bot sent a message without an envelope_id: %r", message[:100])
            return
        with self._lock:
            self._acks[ack["envelope_id"]] = ack
            self._lock.notify_all()
