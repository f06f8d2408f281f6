"""Benchmark: back up a billed demo co-op and restore it into an empty database.

    .venv/bin/python benchmarks/backup_restore.py                  # SQLite, 20,000 members
    .venv/bin/python benchmarks/backup_restore.py --members 2000
    .venv/bin/python benchmarks/backup_restore.py \\
        --database-url postgresql://postgres@127.0.0.1:5432/backup_bench

Starts from nothing (a new temporary var directory, or a dropped and re-created database
and a second one named ``<name>_restored``), migrates, loads the demo, bills the month,
then times ``coopcis backup --out FILE`` and ``coopcis restore FILE``, and checks the
restored trial balance is the original's.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

COOPCIS = Path(sys.executable).with_name("coopcis")


def _run(arguments: list[str], env: dict[str, str]) -> tuple[str, float]:
    started = time.perf_counter()
    finished = subprocess.run(
        [str(COOPCIS), *arguments], env=env, capture_output=True, text=True, check=False
    )
    if finished.returncode != 0:
        sys.exit(f"coopcis {' '.join(arguments)} failed:\n{finished.stderr}")
    return finished.stdout, time.perf_counter() - started


def _fresh_postgres(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        name = parts.path.lstrip("/")
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="coopcis-backup-bench-"))
    base = {k: v for k, v in os.environ.items() if not k.startswith("COOPCIS_")}
    source = {**base, "COOPCIS_VAR_DIR": str(scratch / "source")}
    target = {**base, "COOPCIS_VAR_DIR": str(scratch / "target")}
    if args.database_url:
        restored_url = args.database_url + "_restored"
        for url in (args.database_url, restored_url):
            _fresh_postgres(url)
        source["COOPCIS_DATABASE_URL"] = args.database_url
        target["COOPCIS_DATABASE_URL"] = restored_url
    _run(["migrate", "--verbosity", "0"], source)
    _, demo = _run(["demo", "--members", str(args.members), "--through", "2026-10"], source)
    _, billed = _run(["bill-run", "--period", "2026-10"], source)
    backup_file = scratch / "coop.backup"
    _, backup = _run(["backup", "--out", str(backup_file)], source)
    _, restore = _run(["restore", str(backup_file)], target)
    before, _ = _run(["report", "trial-balance", "--json"], source)
    after, _ = _run(["report", "trial-balance", "--json"], target)
    print(f"members {args.members}: demo {demo:.1f} s, bill run {billed:.1f} s")
    print(f"backup {backup:.1f} s ({backup_file.stat().st_size / 2**20:,.0f} MiB)")
    print(f"restore {restore:.1f} s; trial balance {'same' if before == after else 'DIFFERENT'}")
    print(f"scratch files in {scratch} (delete when done)")


if __name__ == "__main__":
    main()
