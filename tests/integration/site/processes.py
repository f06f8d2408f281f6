"""Run the installed ``coopcis`` command in a fresh process with a chosen environment:
settings are read once per process, so production mode is tested this way."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

COOPCIS = Path(sys.executable).parent / "coopcis"

#: These tests start coopcis in their own processes on their own databases, whatever the
#: suite's database: they run once, in the SQLite pass of scripts/test.py.
once = pytest.mark.skipif(
    os.environ.get("COOPCIS_DATABASE_URL", "").startswith("postgres"),
    reason="own processes and databases: run once, in the SQLite pass",
)


def production_secrets() -> dict[str, str]:
    return {
        "COOPCIS_SECRET_KEY": secrets.token_urlsafe(50),
        "COOPCIS_GATEWAY_SECRET": secrets.token_urlsafe(32),
        "COOPCIS_FIELD_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
    }


def clean_environment(var_dir: Path, **extra: str) -> dict[str, str]:
    """This process's environment without any COOPCIS_ or DJANGO_ setting (the browser
    tests set DJANGO_ALLOW_ASYNC_UNSAFE), plus ``extra``."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("COOPCIS_", "DJANGO_"))
    }
    env["COOPCIS_VAR_DIR"] = str(var_dir)
    env.update(extra)
    return env


def coopcis(
    *args: str, env: dict[str, str], cwd: Path, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(COOPCIS), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
