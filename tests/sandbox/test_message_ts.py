"""Message timestamps in the local workspace are Slack's "seconds.microseconds": unique and increasing per workspace,
following its clock, so every click and chat.update reaches the message it names."""

from __future__ import annotations

from slack_sdk import WebClient

from sandbox import SandboxServer, Workspace
from tests.conftest import VACANCIES


def as_micros(ts: str) -> int:
    seconds, micros = ts.split(".")
    assert len(micros) == 6, ts
    return int(seconds) * 1_000_000 + int(micros)


def test_under_a_fixed_clock_every_ts_is_new_and_later_than_the_last() -> None:
    # Near 1.8e9, where a float's spacing is coarser than a microsecond; the old float arithmetic repeated ~1 in 21.
    workspace = Workspace(clock=lambda: 1_800_000_000.0)
    stamps = [as_micros(workspace.new_ts()) for _ in range(5_000)]
    assert stamps == list(range(1_800_000_000_000_000, 1_800_000_000_000_000 + 5_000))


def test_the_ts_follows_the_clock_and_never_goes_back() -> None:
    now = [1_800_000_000.25]
    workspace = Workspace(clock=lambda: now[0])
    assert workspace.new_ts() == "1800000000.250000"
    now[0] = 1_800_000_007.5
    assert workspace.new_ts() == "1800000007.500000"
    now[0] = 1_800_000_001.0  # a clock set back (the system clock may be): still after the last ts
    assert workspace.new_ts() == "1800000007.500001"


def test_many_posts_in_one_instant_are_each_updated_by_their_own_ts(
    sandbox: SandboxServer, workspace: Workspace
) -> None:
    # The workspace's clock is the tests' ManualClock, which stands still here.
    client = WebClient(token="xoxb-sandbox-token", base_url=sandbox.api_url, retry_handlers=[])
    posted = [client.chat_postMessage(channel=VACANCIES, text=f"card {n}")["ts"] for n in range(200)]
    assert len(set(posted)) == len(posted)
    assert [as_micros(ts) for ts in posted] == sorted(as_micros(ts) for ts in posted)
    for n, ts in enumerate(posted):
        client.chat_update(channel=VACANCIES, ts=ts, text=f"card {n} updated")
    messages = {m.ts: m for m in workspace.channels[VACANCIES].messages}
    assert [(messages[ts].text, messages[ts].edited) for ts in posted] == [
        (f"card {n} updated", 1) for n in range(len(posted))
    ]
