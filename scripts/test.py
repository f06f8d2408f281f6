#!/usr/bin/env python3
"""The whole test suite, as CI runs it:

    python3 scripts/test.py [--sqlite-only] [--one-at-a-time] [pytest args...]

Creates ./.venv with the test extras, then runs the checks (ruff lint and format,
mypy strict on coopcis.core, the import-linter contract, ``makemigrations --check``)
and pytest twice, at the same time: the whole suite on SQLite, and every test that
touches a database (tests/integration, tests/e2e) again on PostgreSQL
(COOPCIS_TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/test).

The two passes share nothing: each has a data folder (COOPCIS_VAR_DIR) of its own, the
SQLite pass's databases are files or memory in it, the PostgreSQL pass's test database
and queues are its own, and the tests that start servers on fixed ports run in the
SQLite pass only. Each pass writes to a log of its own (its path is printed first, to
follow with ``tail -f``), printed whole as the pass ends; a summary closes the run, with
each pass's result and its failed tests. ``--one-at-a-time`` runs the passes one after
the other instead, printing as they go. Exits non-zero if anything failed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from _env import BIN, ROOT, coopcis_env, ensure_environment, run

POSTGRES_URL = os.environ.get(
    "COOPCIS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
#: RabbitMQ for the worker tests of the PostgreSQL run (each run uses queues of its own).
BROKER_URL = os.environ.get("COOPCIS_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
#: what the PostgreSQL pass runs when no test is named: the suites that have a database
#: (the database-free ones, unit, golden and peer, run in the SQLite pass only)
DATABASE_SUITES = ["tests/integration", "tests/e2e"]
#: the lines of pytest's short summary (``-ra``) that name a test that did not pass
_NOT_PASSED = re.compile(r"^(FAILED|ERROR) ")


@dataclass
class Pass:
    """One pytest run: its name, command, environment and log."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    seconds: float = 0.0
    returncode: int | None = None
    lines: list[str] = field(default_factory=list)

    def start(self) -> None:
        print(f"+ [{self.name}] {' '.join(self.command)}  (log: {self.log})", flush=True)
        self.started = time.monotonic()
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                self.command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )

    def finish(self) -> None:
        assert self.process is not None
        self.returncode = self.process.wait()
        self.seconds = time.monotonic() - self.started
        self.lines = self.log.read_text(errors="replace").splitlines()

    def outcome(self) -> str:
        """pytest's closing line (``N passed, ... in S``), or why there is none."""
        for line in reversed(self.lines):
            if line.startswith("=") and " in " in line:
                return line.strip("= ")
        return f"no closing line (exit status {self.returncode})"

    def not_passed(self) -> list[str]:
        return [line for line in self.lines if _NOT_PASSED.match(line)]


def _targets(pytest_args: list[str]) -> list[str]:
    """The PostgreSQL pass's arguments: those given, with the database suites added when
    none of them names a test (only options, e.g. ``-x`` or ``--durations=20``)."""
    names_a_test = any(
        Path(ROOT, arg.split("::", 1)[0]).exists() for arg in pytest_args if not arg.startswith("-")
    )
    return pytest_args if names_a_test else [*pytest_args, *DATABASE_SUITES]


def _run_passes(passes: list[Pass], one_at_a_time: bool) -> None:
    if one_at_a_time:
        for each in passes:
            each.start()
            each.finish()
            print(each.log.read_text(errors="replace"), end="", flush=True)
        return
    for each in passes:
        each.start()
    running = list(passes)
    while running:
        for each in running:
            assert each.process is not None
            if each.process.poll() is not None:
                each.finish()
                running.remove(each)
                print(
                    f"\n---- pytest on {each.name} ({each.seconds / 60:.1f} min) ----", flush=True
                )
                print(each.log.read_text(errors="replace"), end="", flush=True)
                break
        else:
            time.sleep(1)


def main() -> int:
    args = sys.argv[1:]
    sqlite_only = "--sqlite-only" in args
    one_at_a_time = "--one-at-a-time" in args
    pytest_args = [arg for arg in args if arg not in ("--sqlite-only", "--one-at-a-time")]
    ensure_environment("test")
    failures: list[str] = []

    scratch = Path(tempfile.mkdtemp(prefix="coopcis-test-"))
    for folder in ("sqlite", "postgresql"):
        (scratch / folder).mkdir()
    sqlite_env = coopcis_env(COOPCIS_VAR_DIR=str(scratch / "sqlite"))
    sqlite_env.pop("COOPCIS_DATABASE_URL", None)
    checks = {
        "ruff lint": [BIN / "ruff", "check", "src", "tests", "scripts", "benchmarks"],
        "ruff format": [BIN / "ruff", "format", "--check", "src", "tests", "scripts", "benchmarks"],
        "mypy (strict on coopcis.core)": [BIN / "mypy"],
        "import-linter": [BIN / "lint-imports"],
        "migrations up to date": [BIN / "coopcis", "makemigrations", "--check", "--dry-run"],
    }
    for name, command in checks.items():
        if run(*command, check=False, env=sqlite_env) != 0:
            failures.append(name)

    passes = [
        Pass("SQLite", [str(BIN / "pytest"), *pytest_args], sqlite_env, scratch / "sqlite.log")
    ]
    if not sqlite_only:
        postgres_env = coopcis_env(
            COOPCIS_VAR_DIR=str(scratch / "postgresql"),
            COOPCIS_DATABASE_URL=POSTGRES_URL,
            COOPCIS_BROKER_URL=BROKER_URL,
            COOPCIS_TEST_DATABASE_NAME=os.environ.get("COOPCIS_TEST_DATABASE_NAME", "test_coopcis"),
        )
        passes.append(
            Pass(
                "PostgreSQL",
                [str(BIN / "pytest"), *_targets(pytest_args)],
                postgres_env,
                scratch / "postgresql.log",
            )
        )
    _run_passes(passes, one_at_a_time)

    print("\n==== summary ====", flush=True)
    for each in passes:
        print(f"pytest on {each.name} ({each.seconds / 60:.1f} min): {each.outcome()}")
        for line in each.not_passed():
            print(f"  [{each.name}] {line}")
        if each.returncode != 0:
            failures.append(f"pytest on {each.name} (log: {each.log})")
    if failures:
        print(f"\nFAILED: {', '.join(failures)}", flush=True)
        return 1
    print("\nAll checks and tests passed on SQLite" + ("" if sqlite_only else " and PostgreSQL"))
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
