"""Benchmark: load the demo co-op into a fresh database and report time, rows and size.

    .venv/bin/python benchmarks/demo_load.py                      # SQLite, 20,000 members
    .venv/bin/python benchmarks/demo_load.py --members 2000
    .venv/bin/python benchmarks/demo_load.py \\
        --database-url postgresql://postgres@127.0.0.1:5432/demo_bench

Each run starts from nothing: a new temporary var directory (SQLite) or a dropped and
re-created database (PostgreSQL), then ``coopcis migrate``, then a timed
``coopcis demo``. The demo prints its rows per table; this adds the wall time of the
demo command alone and the database's size on disk. Issue 2's target: 20,000 members
with 13 months in under 2 minutes on SQLite on a 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

COOPCIS = Path(sys.executable).with_name("coopcis")


def _run(arguments: list[str], env: dict[str, str]) -> str:
    finished = subprocess.run(
        [str(COOPCIS), *arguments], env=env, capture_output=True, text=True, check=False
    )
    if finished.returncode != 0:
        sys.exit(f"coopcis {' '.join(arguments)} failed:\n{finished.stderr}")
    return finished.stdout


def _fresh_postgres(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def _postgres_size(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as connection:
        row = connection.execute("select pg_database_size(current_database())").fetchone()
    assert row is not None
    return int(row[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--months", type=int, default=13)
    parser.add_argument("--through", default="2026-10")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (default SQLite)")
    options = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="coopcis-demo-bench-"))
    env = dict(os.environ, COOPCIS_VAR_DIR=str(var_dir), COOPCIS_OPERATOR="operator")
    env.pop("COOPCIS_DATABASE_URL", None)
    if options.database_url:
        env["COOPCIS_DATABASE_URL"] = options.database_url
        _fresh_postgres(options.database_url)
    try:
        _run(["migrate", "-v0"], env)
        _run(["staff", "add", "operator", "--role", "manager"], env)
        demo = [
            "demo",
            "--members",
            str(options.members),
            "--months",
            str(options.months),
            "--through",
            options.through,
            "--seed",
            str(options.seed),
        ]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        summary = _run(demo, env)
        wall = time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if options.database_url:
            size, where = _postgres_size(options.database_url), "PostgreSQL"
        else:
            size = sum(p.stat().st_size for p in var_dir.glob("coopcis.sqlite3*"))
            where = "SQLite"
        print(f"command: coopcis {' '.join(demo)}")
        print(
            f"database: {where}; machine: {os.cpu_count()} cores, "
            f"{_memory_gib():.0f} GiB, Python {platform.python_version()}"
        )
        print(f"wall time of the demo command: {wall:.1f} s (CPU {cpu:.1f} s, both processes)")
        print(f"load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
        print(f"database size on disk: {size / 2**20:,.0f} MiB")
        print(summary.rstrip())
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    return 0


def _memory_gib() -> float:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        return float("nan")


if __name__ == "__main__":
    sys.exit(main())
