#!/usr/bin/env python3
"""One command for newcomers: `python3 dev.py run` runs the bot, `python3 dev.py test` runs the tests.

With no Slack credentials (no SLACK_BOT_TOKEN in the environment or in .env), `run` starts the local workspace
instead (`sandbox`): Porchlight against a local Slack, and a web page to use it; `run --demo` adds demo data.

It makes a virtual environment in .venv on first use, installs Porchlight into it (again whenever
pyproject.toml changes), and runs the command there. Needs only Python 3.11+.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
MARKER = VENV / ".porchlight-installed"

COMMANDS = {
    "run": ["porchlight", "run"],
    "sandbox": ["python", "-m", "sandbox.launch"],
    "check": ["porchlight", "check"],
    "test": ["pytest"],
    "lint": None,
    "bench": ["python", "-m", "bench"],
    "soak": ["python", "-m", "bench.soak"],
}


def ensure_environment() -> None:
    if sys.version_info < (3, 11):
        sys.exit(f"Porchlight needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not PYTHON.exists():
        print("Creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if MARKER.exists() and MARKER.read_text() == wanted:
        return
    print("Installing Porchlight and its test tools into .venv ...", flush=True)
    pip = [str(PYTHON), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-e", f"{ROOT}[test]"], check=True)
    MARKER.write_text(wanted)


def has_credentials() -> bool:
    """Is SLACK_BOT_TOKEN set? In the environment (which wins over .env, as in Porchlight's settings), else in .env."""
    if "SLACK_BOT_TOKEN" in os.environ:
        return bool(os.environ["SLACK_BOT_TOKEN"].strip())
    env = ROOT / ".env"
    if not env.exists():
        return False
    for line in env.read_text(encoding="utf-8", errors="replace").splitlines():
        name, _, value = line.strip().removeprefix("export ").partition("=")
        if name.strip() == "SLACK_BOT_TOKEN":
            return bool(value.split(" #")[0].strip().strip("\"'"))
    return False


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        print("usage: python3 dev.py {" + ",".join(COMMANDS) + "} [args...]")
        return 2
    ensure_environment()
    name, extra = argv[0], argv[1:]
    if name == "run" and not has_credentials():
        print("No Slack credentials (SLACK_BOT_TOKEN) here: starting the local workspace instead. To connect to "
              "Slack, set them in .env (README: Settings).", flush=True)  # fmt: skip
        name = "sandbox"
    if name == "lint":
        ruff = str(BIN / "ruff")
        first = subprocess.run([ruff, "check", str(ROOT)], check=False).returncode
        second = subprocess.run([ruff, "format", "--check", str(ROOT)], check=False).returncode
        # The packages pyproject.toml's [tool.mypy] names, strictly; run from ROOT so that it reads that config.
        third = subprocess.run([str(BIN / "mypy")], cwd=ROOT, check=False).returncode
        return first or second or third
    command = COMMANDS[name]
    if command is None:
        return 2
    program = str(PYTHON) if command[0] == "python" else str(BIN / command[0])
    return subprocess.run([program, *command[1:], *extra], cwd=ROOT, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
