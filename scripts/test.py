#!/usr/bin/env python3
"""The whole test suite, as CI runs it:

    python3 scripts/test.py [--sqlite-only] [pytest args...]

Creates ./.venv with the test extras, then runs the checks (ruff lint and format,
mypy strict on coopcis.core, the import-linter contract, ``makemigrations --check``)
and pytest: the whole suite on SQLite, then every test that touches a database
(tests/integration, tests/e2e) again on PostgreSQL (COOPCIS_TEST_POSTGRES_URL, default
postgresql://postgres@127.0.0.1:5432/test). Exits non-zero if anything failed.
"""

from __future__ import annotations

import os
import sys
import tempfile

from _env import BIN, ROOT, coopcis_env, ensure_environment, run

POSTGRES_URL = os.environ.get(
    "COOPCIS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
#: RabbitMQ for the worker tests of the PostgreSQL run (each run uses queues of its own).
BROKER_URL = os.environ.get("COOPCIS_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")


def main() -> int:
    args = sys.argv[1:]
    sqlite_only = "--sqlite-only" in args
    pytest_args = [arg for arg in args if arg != "--sqlite-only"]
    ensure_environment("test")
    failures: list[str] = []

    scratch = tempfile.mkdtemp(prefix="coopcis-test-")
    sqlite_env = coopcis_env(COOPCIS_VAR_DIR=scratch)
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

    if run(BIN / "pytest", *pytest_args, check=False, env=sqlite_env) != 0:
        failures.append("pytest on SQLite")
    if not sqlite_only:
        postgres_env = coopcis_env(
            COOPCIS_VAR_DIR=scratch,
            COOPCIS_DATABASE_URL=POSTGRES_URL,
            COOPCIS_BROKER_URL=BROKER_URL,
            COOPCIS_TEST_DATABASE_NAME=os.environ.get("COOPCIS_TEST_DATABASE_NAME", "test_coopcis"),
        )
        # the database-free suites (unit, golden, peer) ran above; the rest runs again here
        targets = pytest_args or ["tests/integration", "tests/e2e"]
        if run(BIN / "pytest", *targets, check=False, env=postgres_env) != 0:
            failures.append("pytest on PostgreSQL")

    if failures:
        print(f"\nFAILED: {', '.join(failures)}", flush=True)
        return 1
    print("\nAll checks and tests passed on SQLite" + ("" if sqlite_only else " and PostgreSQL"))
    return 0


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
