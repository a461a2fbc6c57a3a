"""Fault switches for the workspace: fail, rate-limit or delay the next N calls of a method."""

from __future__ import annotations

import threading
from dataclasses import dataclass


@dataclass
class Fault:
    kind: str  # "error" (HTTP status + Slack error), "ratelimit" (429 + Retry-After), "delay" (sleep first)
    remaining: int
    status: int = 200
    error: str = "internal_error"
    retry_after: int = 1
    seconds: float = 0.0
    after_effect: bool = False  # for "delay": run the method, then sleep (Slack accepted it, the caller timed out)


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_method: dict[str, list[Fault]] = {}

    def fail(self, method: str, *, times: int = 1, status: int = 500, error: str = "internal_error") -> None:
        """The next `times` calls answer HTTP `status` with Slack error `error`."""
        self._add(method, Fault("error", times, status=status, error=error))

    def rate_limit(self, method: str, *, times: int = 1, retry_after: int = 1) -> None:
        """The next `times` calls answer 429 ratelimited with Retry-After."""
        self._add(method, Fault("ratelimit", times, status=429, error="ratelimited", retry_after=retry_after))

    def delay(self, method: str, *, seconds: float, times: int = 1, after_effect: bool = False) -> None:
        """The next `times` calls are slow: before running, or (after_effect) after Slack has applied them."""
        self._add(method, Fault("delay", times, seconds=seconds, after_effect=after_effect))

    def clear(self) -> None:
        with self._lock:
            self._by_method.clear()

    def _add(self, method: str, fault: Fault) -> None:
        with self._lock:
            self._by_method.setdefault(method, []).append(fault)

    def take(self, method: str) -> Fault | None:
        """Consume one use of the first active fault for `method`."""
        with self._lock:
            queue = self._by_method.get(method) or []
            while queue and queue[0].remaining <= 0:
                queue.pop(0)
            if not queue:
                return None
            queue[0].remaining -= 1
            return queue[0]
