"""A long memory soak of Porchlight alone: `python3 dev.py soak [--rounds 20] [--size 3000]`.

Starts the local workspace and Porchlight as `porchlight run` runs it (server + worker, SQLite), sends rounds of
signed `message` events from 4 senders, and prints the RSS of each process after every round, then how much
each grew over the second half. A leak keeps growing there; a cache levels off. Not a timed test.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile

from bench.__main__ import ROOT, Server, soak
from sandbox import SlackSide, Workspace


def main() -> int:
    parser = argparse.ArgumentParser(prog="python3 dev.py soak")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--size", type=int, default=3000, help="events per round")
    args = parser.parse_args()
    sandbox = subprocess.Popen([sys.executable, "-m", "sandbox"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert sandbox.stdout is not None
    url = sandbox.stdout.readline().strip().removeprefix("READY ")
    samples: list[list[float]] = []

    def each(r: int, rate: float, per_process: list[float]) -> None:
        samples.append(per_process)
        serving, worker = per_process
        print(f"| {r + 1} | {(r + 1) * args.size:,} | {rate:.0f} | {serving:.1f} | {worker:.1f} |", flush=True)

    print("| round | events so far | events/s | server RSS (MiB) | worker RSS (MiB) |\n|---|---|---|---|---|")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            server = Server("bot", url + "/api/", f"sqlite:///{tmp}/soak.db")
            side = SlackSide(Workspace(), bot_url=server.url, sandbox_url=url)
            try:
                soak(side, server, rounds=args.rounds, size=args.size, offset=0, each=each)
            finally:
                side.close()
                server.stop()
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)
    half = samples[len(samples) // 2 - 1]
    events = (len(samples) - len(samples) // 2) * args.size
    print(f"\nover the last {events:,} events: server {samples[-1][0] - half[0]:+.1f} MiB, "
          f"worker {samples[-1][1] - half[1]:+.1f} MiB")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
