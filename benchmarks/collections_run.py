"""Benchmark: the daily collections job on a bad day, when every member gets a notice.

    .venv/bin/python benchmarks/collections_run.py [--members 20000] [--postgres]
        [--as-of 2026-11-25] [--profile FILE] [--from-dir DIR]

Loads the demo co-op into a fresh database (SQLite in a temporary folder, or with
--postgres a new database on 127.0.0.1:5432, dropped afterwards), bills October 2026
(no member has paid: the demo loads no payments), then times
``coopcis collections run --as-of 2026-11-25 --json`` as a whole process: every bill is
past due by then, so every account gets a case and a second notice (rendered as a PDF and
stored). Prints the counts, the wall time, the load average and the job's CPU time. ``--profile FILE`` runs
the job under cProfile instead and writes the statistics there. ``--from-dir DIR`` (SQLite)
starts from a copy of the ``coopcis.sqlite3`` an earlier run left in DIR, loaded and billed
but not yet worked by collections (migrated first), instead of loading the co-op again.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from _scratch import scratch_env

ROOT = Path(__file__).resolve().parent.parent
COOPCIS = str(ROOT / ".venv" / "bin" / "coopcis")
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([COOPCIS, *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"coopcis {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=20000)
    parser.add_argument("--postgres", action="store_true", help="use a new PostgreSQL database")
    parser.add_argument("--as-of", default="2026-11-25")
    parser.add_argument("--profile", help="write cProfile statistics of the job here")
    parser.add_argument("--from-dir", help="copy a loaded and billed SQLite database from here")
    args = parser.parse_args()

    with scratch_env(postgres=args.postgres) as env:
        env["COOPCIS_OPERATOR"] = "operator"
        measure(env, args)


def measure(env: dict[str, str], args: argparse.Namespace) -> None:
    if args.from_dir:
        source = Path(args.from_dir) / "coopcis.sqlite3"
        shutil.copyfile(source, Path(env["COOPCIS_VAR_DIR"]) / "coopcis.sqlite3")
        run(env, "migrate", "--verbosity", "0")
        print(f"started from a copy of {source}", flush=True)
    else:
        run(env, "migrate", "--verbosity", "0")
        run(env, "staff", "add", "operator", "--role", "manager")
        started = time.perf_counter()
        run(env, "demo", "--members", str(args.members), "--through", "2026-10")
        run(env, "bill-run", "--period", "2026-10", "--json")
        print(f"demo loaded and billed in {time.perf_counter() - started:.1f} s", flush=True)
    print(f"database in {env['COOPCIS_VAR_DIR']}", flush=True)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    if args.profile:
        code = (
            "import cProfile, datetime, django; django.setup()\n"
            "from coopcis.apps.collections.run import run_collections\n"
            f"day = datetime.date.fromisoformat({args.as_of!r})\n"
            f"cProfile.run('run_collections(as_of=day)', {args.profile!r})\n"
        )
        profiled = {**env, "DJANGO_SETTINGS_MODULE": "coopcis.site.settings"}
        subprocess.run([PYTHON, "-c", code], env=profiled, check=True)
        print(f"profiled run {time.perf_counter() - started:.1f} s -> {args.profile}")
        return
    cpu_before = _children_cpu()
    report = json.loads(run(env, "collections", "run", "--as-of", args.as_of, "--json"))
    wall = time.perf_counter() - started
    cpu = _children_cpu() - cpu_before
    counts = {name: count for name, count in report["counts"].items() if count}
    print(json.dumps(counts))
    print(
        f"collections run wall time {wall:.1f} s for {counts.get('second_notices', 0)} notices "
        f"({'PostgreSQL' if args.postgres else 'SQLite'}; load average {load:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after); CPU time of the process {cpu:.1f} s"
    )


def _children_cpu() -> float:
    """User and system CPU seconds of the finished child processes: what the job cost the
    machine, whatever else was running (the database server's own time not included)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    main()
