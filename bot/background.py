"""Work that runs after Slack has had its answer: a few threads behind a bounded queue.

When the queue is full the work runs in the listener itself, before the answer: that slows the answer instead
of losing work or letting memory grow under a flood. Tasks get plain values, never Bolt's request objects.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Generic, TypeVar

from bot.slack.guard import reference

log = logging.getLogger("porchlight.background")
T = TypeVar("T")


class AfterAck:
    def __init__(self, *, workers: int = 4, queue_size: int = 200, head_start: float = 0.01) -> None:
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="after-ack") if workers else None
        self._room = threading.BoundedSemaphore(queue_size)
        # Tasks start a moment after they are queued, so the answer to Slack (written by the request thread
        # once the listener returns) is not kept waiting for the GIL by the work it just queued.
        self._head_start = head_start

    def submit(self, task: Callable[..., None], /, *args: Any, **kwargs: Any) -> None:
        """Run `task` soon on a worker thread, or now if every place in the queue is taken (or no workers)."""
        if self._pool is None or not self._room.acquire(blocking=False):
            _run(task, args, kwargs)
            return

        def run_and_free() -> None:
            try:
                time.sleep(self._head_start)
                _run(task, args, kwargs)
            finally:
                self._room.release()

        self._pool.submit(run_and_free)

    def shutdown(self) -> None:
        """Finish what is queued, then stop."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)


def _run(task: Callable[..., None], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    try:
        task(*args, **kwargs)
    except Exception:
        # Tasks tell people about their own failures; this is the last net, so nothing fails unseen.
        log.exception("after-ack task %s failed (ref %s)", getattr(task, "__name__", task), reference())


INLINE = AfterAck(workers=0)


class Batcher(Generic[T]):
    """One writer thread that takes items from a bounded queue and handles them in batches (one transaction each).

    `add` blocks while the queue is full, so a flood slows the listeners down instead of growing memory.
    Items still queued when the process is killed are lost; use it only for what may be (the contact log).
    """

    def __init__(
        self, handle: Callable[[list[T]], None], *, max_batch: int = 200, max_queue: int = 2000, linger: float = 0.05
    ) -> None:
        self._handle = handle
        self._queue: queue.Queue[T | None] = queue.Queue(max_queue)
        self._max_batch = max_batch
        # After the first item, wait this long for more: a transaction per item or two costs more than the
        # items (measured in bench/: batches of ~2 under load took the GIL from the listeners).
        self._linger = linger
        self._thread = threading.Thread(target=self._run, name="batcher", daemon=True)
        self._thread.start()

    def add(self, item: T) -> None:
        self._queue.put(item)

    def flush(self) -> None:
        """Wait until everything added so far has been handled."""
        self._queue.join()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            deadline = time.monotonic() + self._linger
            while len(batch) < self._max_batch and batch[-1] is not None:
                try:
                    batch.append(self._queue.get(timeout=max(0.0, deadline - time.monotonic())))
                except queue.Empty:
                    break
            items = [item for item in batch if item is not None]
            if items:
                _run(self._handle, (items,), {})
            for _ in batch:
                self._queue.task_done()
            if None in batch:
                return
