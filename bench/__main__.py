"""Run every benchmark in one go and print the figures as ratios against a baseline measured in the same run.

    python3 dev.py bench [--quick] [--part board|engine|escalations|checkins|partners|report]

Without --part every part runs, the board's first. The other parts are modules of their own (bench/engine.py,
bench/escalations.py, bench/checkins.py, bench/partners.py, bench/report.py), each also runnable as `python -m bench.<part>`.
The board's part measures:

(a) ack latency p50/p99 for `/vacancy` and a valid vacancy submission through Porchlight's real HTTP path,
    against a bare Bolt app that only acks, served the same way, in its fastest configuration
    (process_before_response=True) and in Bolt's default one;
(b) sustained throughput of Events API `message` events in a shared channel, against the bare app;
(c) peak and sampled memory (RSS) of the bot (serving process + worker) under that load, and over a soak of many more events;
(d) outbox delivery rate when the workspace holds chat.postMessage to one message per second per channel;
(e) the same acks as (a) over Socket Mode (the common way to run without a public URL), against the bare app
    connected the same way.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from bench.delivery import delivery_rate
from bench.seed import seed
from bench.serve import status_kb
from bot.slack.blocks import VacancyModalMeta, vacancy_modal
from sandbox import SlackSide, Workspace
from sandbox.slack_side import _state_values
from sandbox.socket_mode import SocketModeServer
from storage.db import make_engine
from storage.migrate import upgrade

ROOT = Path(__file__).resolve().parents[1]
VALUES = {
    "property_name": "Maple Court", "unit": "12B", "bedrooms": "2", "rent": "1250", "available_on": "2026-12-01",
    "subsidies": ["hcv"], "accessibility": [], "screening": ["credit"], "screening_notes": "", "contact": "555-0100",
    "notes": "",
}  # fmt: skip


class Server:
    """A bench/serve.py process."""

    def __init__(self, kind: str, api_url: str, database_url: str, *, socket: bool = False) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.serve", kind, "--api-url", api_url, "--database-url", database_url,
             *(["--socket"] if socket else [])],
            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if not line.startswith("READY "):
            raise RuntimeError(f"{kind} server did not start: {line!r}")
        self.url, worker = line.removeprefix("READY ").split()
        self.pids = [self.process.pid] + ([int(worker)] if worker != "0" else [])

    def rss_kb(self) -> int:
        """This server's resident memory: Porchlight's serving process plus its worker."""
        return sum(status_kb(pid, "VmRSS") for pid in self.pids)

    def stop(self) -> int:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.close()
        peak = 0
        for line in self.process.stdout:
            if line.startswith("PEAK_KB "):
                peak = int(line.split()[1])
        self.process.wait(timeout=30)
        return peak


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


RATE = 25.0  # requests per second in the latency phases: far above a community's real traffic


def timed(send: Any, count: int, warmup: int, prepare: Any = lambda: None) -> list[float]:
    """Latency of `send(prepare())` in ms, one request every 1/RATE s (open loop); only the request is timed."""
    for _ in range(warmup):
        send(prepare())
    latencies = []
    next_at = time.perf_counter()
    for _ in range(count):
        prepared = prepare()
        next_at += 1 / RATE
        time.sleep(max(0.0, next_at - time.perf_counter()))
        start = time.perf_counter()
        response = send(prepared)
        latencies.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{response.status_code}: {response.text[:200]}")
    return latencies


def new_trigger(side: SlackSide) -> Any:
    control = httpx.Client()
    return lambda: control.post(side.sandbox_url + "/_sandbox/trigger", json={"user": "U0CASEMGR"}).json()["trigger_id"]


def slash_sender(side: SlackSide) -> Any:
    def send(trigger: str) -> httpx.Response:
        form = {"command": "/vacancy", "text": "", "user_id": "U0CASEMGR", "team_id": "T0PORCH",
                "channel_id": "C0VACANCIES", "trigger_id": trigger, "response_url": side.sandbox_url + "/response/x"}  # fmt: skip
        return side.post_form(form)

    return send


def submission_sender(side: SlackSide) -> tuple[Any, Any]:
    """(send, prepare) for `timed`: each submission is a modal of its own, as in Slack (the same view id and hash
    twice is a replay, which Porchlight recognises and does not store again: a cheaper path than this one)."""
    view = vacancy_modal(VacancyModalMeta(channel="C0VACANCIES"), today=date.today())
    state, _ = _state_values(view, VALUES)
    counter = iter(range(10**9))
    quote = __import__("urllib.parse").parse.quote

    def prepare() -> Any:
        i = next(counter)
        payload = {"type": "view_submission", "team": {"id": "T0PORCH"},
                   "user": {"id": "U0CASEMGR", "team_id": "T0PORCH"}, "api_app_id": "A0PORCH",
                   "view": {**view, "id": f"V0BENCH{i:07d}", "hash": f"{i}.bench", "state": {"values": state}}}  # fmt: skip
        return payload if side.socket is not None else "payload=" + quote(json.dumps(payload))

    if side.socket is not None:
        return (lambda payload: side.post_payload(payload)), prepare  # an envelope down the socket
    return (lambda body: side.post(body, "application/x-www-form-urlencoded")), prepare


def timed_submissions(side: SlackSide, n: int) -> list[float]:
    send, prepare = submission_sender(side)
    return timed(send, n, n // 10, prepare)


def event_throughput(side: SlackSide, count: int, threads: int, offset: int = 0) -> float:
    local = threading.local()

    def send(i: int) -> None:
        event = {"type": "message", "channel": "C0SHARED", "user": "W0PARTNERPM", "user_team": "T0PARTNER",
                 "text": "hello", "ts": f"{1790000000 + i}.000100"}  # fmt: skip
        envelope = {"type": "event_callback", "team_id": "T0PORCH", "api_app_id": "A0PORCH", "event": event,
                    "event_id": f"EvBENCH{i:08d}", "event_time": 1790000000}  # fmt: skip
        if not hasattr(local, "client"):
            local.client = httpx.Client()  # one kept-alive connection per sender
        body = json.dumps(envelope)
        headers = {"Content-Type": "application/json", **side.signed_headers(body)}
        response = local.client.post(side.bot_url, content=body, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(response.text)

    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(send, range(offset, offset + count)))
    return count / (time.perf_counter() - start)


BOARD_VACANCIES, BOARD_REFERRALS = 5000, 20000


def seeded(db: str) -> str:
    """A database holding a large board: 5,000 vacancies and 20,000 referrals."""
    engine = make_engine(db)
    upgrade(engine)
    seed(engine, vacancies=BOARD_VACANCIES, referrals=BOARD_REFERRALS)
    engine.dispose()
    return db


def list_sender(side: SlackSide, text: str) -> Any:
    def send(trigger: str) -> httpx.Response:
        form = {"command": "/vacancy", "text": text, "user_id": "U0CASEMGR", "team_id": "T0PORCH",
                "channel_id": "C0VACANCIES", "trigger_id": trigger, "response_url": side.sandbox_url + "/response/x"}  # fmt: skip
        response = side.post_form(form)
        # Porchlight answers with the page; the bare app only acks (an empty body).
        if response.content and "open vacanc" not in response.text.lower():
            raise RuntimeError(f"unexpected answer to /vacancy {text}: {response.text[:200]}")
        return response

    return send


def soak(
    side: SlackSide, server: Server, *, rounds: int, size: int, offset: int = 2 * 10**6, each: Any = None
) -> list[float]:
    """RSS (MiB, all the server's processes) after each of `rounds` rounds of `size` events: a steady process
    levels off. `each(round, events_per_s, [MiB per process])`, if given, hears about every round as it ends."""
    samples = []
    for r in range(rounds):
        rate = event_throughput(side, size, threads=4, offset=offset + r * size)
        time.sleep(0.5)  # let the contact writer finish the round
        per_process = [status_kb(pid, "VmRSS") / 1024 for pid in server.pids]
        samples.append(sum(per_process))
        if each is not None:
            each(r, rate, per_process)
    return samples


def measure(kind: str, sandbox_url: str, n: int, db: str, soak_rounds: tuple[int, int]) -> dict[str, Any]:
    server = Server(kind, sandbox_url + "/api/", seeded(db) if kind == "bot" else db)
    # The workspace object here only lends its signing secret and people; the sandbox runs in its own process.
    side = SlackSide(Workspace(), bot_url=server.url, sandbox_url=sandbox_url)
    try:
        phases: dict[str, Any] = {}
        rss: dict[str, float] = {}
        for name, run in (
            ("warmup", lambda: event_throughput(side, 500, threads=4, offset=10**6)),
            ("events_per_s", lambda: event_throughput(side, n * 5, threads=4, offset=0)),
            ("slash", lambda: timed(slash_sender(side), n, n // 10, prepare=new_trigger(side))),
            ("submit", lambda: timed_submissions(side, n)),
            ("list", lambda: timed(list_sender(side, "list"), n // 2, 10, prepare=new_trigger(side))),
            ("list_filtered", lambda: timed(list_sender(side, "list 2br max:1500 hcv"), n // 2, 10,
                                            prepare=new_trigger(side))),
            # The same load again, after everything else: memory should not have kept growing.
            ("events_again_per_s", lambda: event_throughput(side, n * 5, threads=4, offset=n * 5)),
        ):  # fmt: skip
            phases[name] = run()
            time.sleep(1)  # let after-ack work and the outbox finish before reading memory
            rss[name] = server.rss_kb() / 1024
        result = {**phases, "rss_after": rss, "soak": soak(side, server, rounds=soak_rounds[0], size=soak_rounds[1])}
    finally:
        side.close()
        peak = server.stop()
    result["peak_kb"] = peak
    return result


def measure_socket(kind: str, sandbox_url: str, n: int, db: str, socket: SocketModeServer) -> dict[str, Any]:
    """(e): the app connects in Socket Mode; each request is an envelope pushed down its socket, timed to the ack."""
    opened = socket.connections_opened
    server = Server(kind, sandbox_url + "/api/", db, socket=True)
    deadline = time.monotonic() + 30
    while socket.connections_opened == opened or socket.connected != 1:  # this app's socket, the last one gone
        if time.monotonic() > deadline:
            raise RuntimeError(f"{kind} did not connect in Socket Mode")
        time.sleep(0.05)
    side = SlackSide(Workspace(), bot_url="", sandbox_url=sandbox_url, socket=socket)
    try:
        return {
            "slash": timed(slash_sender(side), n, n // 10, prepare=new_trigger(side)),
            "submit": timed_submissions(side, n),
        }
    finally:
        side.close()
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(prog="python3 dev.py bench")
    parser.add_argument("--quick", action="store_true", help="fewer requests (a smoke run)")
    parser.add_argument("-n", type=int, default=None, help="requests per latency measurement")
    parser.add_argument("--part", choices=("board", *PARTS), help="run one part only (default: all of them)")
    args = parser.parse_args()
    if args.part in PARTS:
        return _part(args.part, quick=args.quick)
    status = _board(args)
    if args.part is None:
        for part in PARTS:
            status = _part(part, quick=args.quick) or status
    return status


PARTS = ("engine", "escalations", "checkins", "partners", "report")


def _part(name: str, *, quick: bool) -> int:
    """A part in a process of its own, so that one part's memory and threads do not colour the next."""
    print(flush=True)
    return subprocess.run([sys.executable, "-m", f"bench.{name}", *(["--quick"] if quick else [])], cwd=ROOT,
                          check=False).returncode  # fmt: skip


def _board(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.ERROR)
    n = args.n or (200 if args.quick else 1000)
    soak_rounds = (4, 500) if args.quick else (10, 2000)
    results: dict[str, dict[str, Any]] = {}
    sockets: dict[str, dict[str, Any]] = {}
    socket = SocketModeServer(app_id="A0PORCH").start()  # ours, so that we can push envelopes down it
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--socket-url", socket.url], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert sandbox.stdout is not None
    sandbox_url = sandbox.stdout.readline().strip().removeprefix("READY ")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for kind in ("bare", "bare-default", "bot"):
                results[kind] = measure(kind, sandbox_url, n, f"sqlite:///{tmp}/{kind}.db", soak_rounds)
                print(f"measured {kind}", file=sys.stderr, flush=True)
            for kind in ("bare", "bot"):
                sockets[kind] = measure_socket(kind, sandbox_url, n, f"sqlite:///{tmp}/{kind}-socket.db", socket)
                print(f"measured {kind} in Socket Mode", file=sys.stderr, flush=True)
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)
        socket.stop()
        rate = delivery_rate(messages=10 if args.quick else 30, channels=1)
        rate_multi = delivery_rate(messages=10 if args.quick else 30, channels=3)
    report(results, n, soak_rounds[1], rate, rate_multi)
    report_socket(sockets, n)
    return 0


def report(
    results: dict[str, dict[str, Any]], n: int, soak_size: int, rate: dict[str, float], rate_multi: dict[str, float]
) -> None:
    bare, default, bot = results["bare"], results["bare-default"], results["bot"]
    print(f"## Porchlight benchmark, {time.strftime('%Y-%m-%d')}\n")
    print(
        f"Latency: {n} signed requests per figure at {RATE:.0f}/s over HTTP on 127.0.0.1. Events: {n * 5} "
        "signed `message` events from 4 concurrent senders (after 500 to warm up), as fast as each app answers.\n"
    )
    print("| measure | bare app, fastest | bare app, Bolt default | Porchlight | Porchlight / fastest bare |")
    print("|---|---|---|---|---|")
    for key, label in (("slash", "`/vacancy` ack"), ("submit", "vacancy submission ack"),
                       ("list", "`/vacancy list` answer*"), ("list_filtered", "`/vacancy list 2br max:1500 hcv` answer*")):  # fmt: skip
        for p in (50, 99):
            b, d, o = (percentile(r[key], p) for r in (bare, default, bot))
            print(f"| {label} p{p} (ms) | {b:.2f} | {d:.2f} | {o:.2f} | {o / b:.2f}x |")
    b, d, o = bare["events_per_s"], default["events_per_s"], bot["events_per_s"]
    print(f"| `message` events / s (4 senders) | {b:.0f} | {d:.0f} | {o:.0f} | {o / b:.2f}x |")
    b, d, o = bare["events_again_per_s"], default["events_again_per_s"], bot["events_again_per_s"]
    print(f"| `message` events / s, again at the end | {b:.0f} | {d:.0f} | {o:.0f} | {o / b:.2f}x |")
    b, d, o = (r["peak_kb"] / 1024 for r in (bare, default, bot))
    print(f"| peak RSS (MiB; Porchlight: server + worker) | {b:.1f} | {d:.1f} | {o:.1f} | {o / b:.2f}x |")
    for phase in [p for p in bot["rss_after"] if p != "warmup"]:
        b, d, o = (r["rss_after"][phase] for r in (bare, default, bot))
        print(f"| RSS after `{phase.removesuffix('_per_s')}` (MiB) | {b:.1f} | {d:.1f} | {o:.1f} | {o / b:.2f}x |")
    print(
        f"\n\\* Porchlight's board holds {BOARD_VACANCIES:,} vacancies and {BOARD_REFERRALS:,} referrals; the list is "
        "in its ack (2 queries). The bare app only acks, so that ratio is the cost of answering at all."
    )
    print_soak(results, soak_size)
    print("\n| outbox delivery, workspace limit 1 post/s per channel | messages | seconds | posts/s | of the limit |")
    print("|---|---|---|---|---|")
    for label, r in (("one channel", rate), ("three channels", rate_multi)):
        print(f"| {label} | {r['messages']:.0f} | {r['seconds']:.1f} | {r['rate']:.2f} | {r['of_limit']:.0%} |")


def report_socket(sockets: dict[str, dict[str, Any]], n: int) -> None:
    print(f"\n| Socket Mode: {n} envelopes per figure at {RATE:.0f}/s, timed to the ack | bare app, fastest | "
          "Porchlight | Porchlight / bare |")  # fmt: skip
    print("|---|---|---|---|")
    for key, label in (("slash", "`/vacancy` ack"), ("submit", "vacancy submission ack")):
        for p in (50, 99):
            b, o = (percentile(sockets[kind][key], p) for kind in ("bare", "bot"))
            print(f"| {label} p{p} (ms) | {b:.2f} | {o:.2f} | {o / b:.2f}x |")


def print_soak(results: dict[str, dict[str, Any]], size: int) -> None:
    """RSS after each soak round, and how much it grew over the second half (a leak keeps growing there)."""
    rounds = len(results["bot"]["soak"])
    print(f"\n| RSS (MiB) after each of {rounds} more rounds of {size:,} events | " + " | ".join(
        str(r + 1) for r in range(rounds)) + " | second half |")  # fmt: skip
    print("|---|" + "---|" * (rounds + 1))
    for kind, label in (
        ("bare", "bare app, fastest"),
        ("bare-default", "bare app, Bolt default"),
        ("bot", "Porchlight"),
    ):
        samples = results[kind]["soak"]
        half = samples[len(samples) // 2 - 1]
        growth = samples[-1] - half
        cells = " | ".join(f"{v:.1f}" for v in samples)
        print(f"| {label} | {cells} | {growth:+.1f} MiB over {(len(samples) - len(samples) // 2) * size:,} events |")


if __name__ == "__main__":
    sys.exit(main())
