"""Benchmark: bill the 20,000-member demo co-op for one month, as a whole process.

    .venv/bin/python benchmarks/bill_run.py [--members 20000] [--postgres] [--period YYYY-MM]

Loads the demo co-op into a fresh database (SQLite in a temporary folder, or with
--postgres a new database on 127.0.0.1:5432, dropped afterwards), then times ``coopcis bill-run --period P
--json`` as a subprocess and prints its JSON, the wall time and where the time went
(profile of one batch in-process with cProfile when --profile is given).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from _scratch import scratch_env

ROOT = Path(__file__).resolve().parent.parent
COOPCIS = str(ROOT / ".venv" / "bin" / "coopcis")


def run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([COOPCIS, *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"coopcis {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=20000)
    parser.add_argument("--postgres", action="store_true", help="use a new PostgreSQL database")
    parser.add_argument("--period", default="2026-10")
    parser.add_argument("--through", default="2026-10")
    args = parser.parse_args()

    with scratch_env(postgres=args.postgres) as env:
        env["COOPCIS_OPERATOR"] = "operator"
        measure(env, args)


def measure(env: dict[str, str], args: argparse.Namespace) -> None:
    run(env, "migrate", "--verbosity", "0")
    run(env, "staff", "add", "operator", "--role", "manager")
    started = time.perf_counter()
    run(env, "demo", "--members", str(args.members), "--through", args.through)
    print(f"demo loaded in {time.perf_counter() - started:.1f} s", flush=True)

    started = time.perf_counter()
    result = json.loads(run(env, "bill-run", "--period", args.period, "--json"))
    wall = time.perf_counter() - started
    print(json.dumps(result))
    print(
        f"bill-run wall time {wall:.1f} s for {result['billed'] + result['held']} bills "
        f"({'PostgreSQL' if args.postgres else 'SQLite'})"
    )
    # net metering (SEC policy 425): the demo's net members' credits and payouts
    interconnections = json.loads(run(env, "net-metering", "list", "--json"))
    books = json.loads(run(env, "report", "trial-balance", "--json"))["accounts"]
    net = {row["number"]: row for row in books if row["number"] in ("555", "242.3", "232.1")}
    print(f"net-metered interconnections {len(interconnections)}; {json.dumps(net)}")


if __name__ == "__main__":
    main()
