"""Shared by scripts/start.py and scripts/test.py: make ./.venv from a bare python3.

Installs the package (editable) with the given extras, and skips the install when
pyproject.toml has not changed since the last one (a hash kept in .venv).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"


def run(*command: str | Path, check: bool = True, env: dict[str, str] | None = None) -> int:
    print("+", " ".join(str(part) for part in command), flush=True)
    return subprocess.run(
        [str(part) for part in command], cwd=ROOT, check=check, env=env
    ).returncode


def ensure_environment(extras: str = "") -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - a clear message on an old python3
        sys.exit(f"coopcis needs Python 3.11 or newer, not {sys.version.split()[0]}")
    if not (BIN / "python").exists():
        print(f"Creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    stamp = VENV / f".installed{('-' + extras) if extras else ''}"
    if stamp.exists() and stamp.read_text() == wanted:
        return
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    target = f".[{extras}]" if extras else "."
    run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", target)
    stamp.write_text(wanted)


def coopcis_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    return env
