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
    if not (stamp.exists() and stamp.read_text() == wanted):
        run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        target = f".[{extras}]" if extras else "."
        run(BIN / "python", "-m", "pip", "install", "--quiet", "-e", target)
        stamp.write_text(wanted)
    compile_sources()


def compile_sources() -> None:
    """Byte-compile src/ ahead (only what changed since the last time).

    pip compiles what it installs, but not an editable install's sources; with
    PYTHONDONTWRITEBYTECODE set (common in containers and CI) Python would then
    compile the ~50 modules a command imports on every run: about 0.1 s of CPU at
    each start of a `coopcis` command. A .pyc that is stale is ignored, never wrong.
    """
    subprocess.run(
        [str(BIN / "python"), "-m", "compileall", "-q", "-j", "0", str(ROOT / "src")],
        cwd=ROOT,
        check=False,
        stdout=subprocess.DEVNULL,
    )


def coopcis_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    return env
