#!/usr/bin/env python3
"""One command for newcomers: `python3 dev.py run` runs the bot, `python3 dev.py test` runs the tests.

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


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        print("usage: python3 dev.py {" + ",".join(COMMANDS) + "} [args...]")
        return 2
    ensure_environment()
    name, extra = argv[0], argv[1:]
    if name == "lint":
        ruff = str(BIN / "ruff")
        first = subprocess.run([ruff, "check", str(ROOT)], check=False).returncode
        second = subprocess.run([ruff, "format", "--check", str(ROOT)], check=False).returncode
        return first or second
    command = COMMANDS[name]
    if command is None:
        return 2
    program = str(PYTHON) if command[0] == "python" else str(BIN / command[0])
    return subprocess.run([program, *command[1:], *extra], cwd=ROOT, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
