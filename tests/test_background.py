"""The after-ack pool and the batch writer: nothing queued is lost, a failing task does not stop the rest."""

from __future__ import annotations

import threading

import pytest

from bot.background import AfterAck, Batcher


def test_batcher_takes_what_arrives_together_as_one_batch() -> None:
    batches: list[list[int]] = []
    batcher = Batcher(batches.append, max_batch=3, linger=60)
    for item in (1, 2, 3, 4):
        batcher.add(item)
    batcher.close()  # the fourth item is waiting out its linger; closing hands it over at once
    assert batches == [[1, 2, 3], [4]]


def test_batcher_keeps_going_after_a_failed_batch(caplog: pytest.LogCaptureFixture) -> None:
    handled: list[int] = []

    def handle(items: list[int]) -> None:
        if 0 in items:
            raise RuntimeError("the database went away")
        handled.extend(items)

    batcher = Batcher(handle, max_batch=1, linger=0)
    for item in (0, 1, 2):
        batcher.add(item)
    batcher.flush()
    batcher.close()
    assert handled == [1, 2]
    assert "failed" in caplog.text


def test_after_ack_runs_inline_when_its_queue_is_full() -> None:
    release = threading.Event()
    ran: list[str] = []
    pool = AfterAck(workers=1, queue_size=1, head_start=0)
    pool.submit(lambda: release.wait(10))  # takes the only place
    pool.submit(ran.append, "inline")  # no room: runs now, in this thread
    assert ran == ["inline"]
    release.set()
    pool.shutdown()
