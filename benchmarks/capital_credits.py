"""Benchmark: allocate a year of capital credits over the 20,000-member demo co-op, then a
general retirement over 20 open years, each timed as a whole ``coopcis`` process.

    .venv/bin/python benchmarks/capital_credits.py [--members 20000] [--postgres]
        [--method percentage|fifo|hybrid]

Loads the demo co-op through December 2025 into a fresh database (SQLite in a temporary
folder, or with --postgres a new database on 127.0.0.1:5432, dropped afterwards) and bills
each month of 2025 (twelve bill runs: the year's patronage comes from real bills). Then:

1. times ``coopcis capital-credits allocate --year 2025 --margins 1500000.00 --json``, then
   ``capital-credits send-notices`` (the paperless members' emails);
2. synthesizes the 19 years before it (2006-2024: every account a credit each year,
   written with the bulk inserts, ``coopcis.site.bulk``), so 20 years are open, and times
   ``coopcis capital-credits retire --approved ... --method M`` (default percentage, which
   touches every open credit: the slowest method) retiring a quarter of all that is open.

The paperless members' notices go by email through a local SMTP server the script starts
(Python's ``smtpd`` debugging server on port 9725, its output dropped), as they would to
the co-op's relay. ``--from-dir DIR`` (SQLite) reuses the database an earlier run left in
DIR (loaded and billed) instead of loading the co-op again; allocate another ``--pool``
there (a year and pool is allocated once).

Prints each step's wall time, the row counts and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from _scratch import scratch_env

ROOT = Path(__file__).resolve().parent.parent
COOPCIS = str(ROOT / ".venv" / "bin" / "coopcis")
SMTP_PORT = 9725

SYNTHESIZE = """
from datetime import date
from decimal import Decimal
from django.db import transaction
from coopcis.apps.capital_credits.models import Allocation, CapitalCredit
from coopcis.apps.members.models import Account
from coopcis.site.bulk import insert_rows
ids = list(Account.objects.values_list("id", flat=True))
with transaction.atomic():
    for year in range(2006, 2025):
        rows = []
        for pk in ids:
            cents = 500 + (pk * 7919 + year * 104729) % 20000
            rows.append((pk, Decimal(cents) / 100))
        total = sum(amount for _, amount in rows)
        allocation = Allocation.objects.create(
            year=year, pool=POOL, margins_amount=total, basis="REVENUE",
            total_patronage=total * 10, allocated_on=date(year + 1, 3, 1), created_by="benchmark",
        )
        insert_rows(
            CapitalCredit,
            ("allocation_id", "account_id", "patronage", "amount", "retired_amount",
             "notice_method", "noticed_on"),
            [(allocation.pk, pk, amount * 10, amount, 0, "MAIL", date(year + 1, 3, 1))
             for pk, amount in rows],
        )
open_total = sum(
    CapitalCredit.objects.filter(allocation__pool=POOL, allocation__year__lt=2025)
    .values_list("amount", flat=True)
)
print("synthesized", CapitalCredit.objects.filter(allocation__pool=POOL).count(), open_total)
"""


def run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([COOPCIS, *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"coopcis {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def timed(env: dict[str, str], *args: str) -> tuple[str, float]:
    started = time.perf_counter()
    out = run(env, *args)
    return out, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=20000)
    parser.add_argument("--postgres", action="store_true", help="use a new PostgreSQL database")
    parser.add_argument("--method", default="percentage", choices=["percentage", "fifo", "hybrid"])
    parser.add_argument("--pool", default="operating")
    parser.add_argument("--from-dir", help="a folder with a loaded and billed coopcis.sqlite3")
    args = parser.parse_args()
    smtp = subprocess.Popen(
        [sys.executable, "-W", "ignore", "-m", "smtpd", "-n", "-c", "DebuggingServer",
         f"127.0.0.1:{SMTP_PORT}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        with scratch_env(postgres=args.postgres) as env:
            env["COOPCIS_OPERATOR"] = "operator"
            env["COOPCIS_EMAIL_URL"] = f"smtp://127.0.0.1:{SMTP_PORT}"
            if args.from_dir:
                env["COOPCIS_VAR_DIR"] = args.from_dir
                run(env, "migrate", "--verbosity", "0")
            else:
                load(env, args)
            measure(env, args)
    finally:
        smtp.terminate()


def load(env: dict[str, str], args: argparse.Namespace) -> None:
    run(env, "migrate", "--verbosity", "0")
    run(env, "staff", "add", "operator", "--role", "manager")
    _, seconds = timed(
        env, "demo", "--members", str(args.members), "--months", "14", "--through", "2025-12"
    )
    print(f"demo loaded in {seconds:.1f} s", flush=True)
    started, bills = time.perf_counter(), 0
    for month in range(1, 13):
        out = json.loads(run(env, "bill-run", "--period", f"2025-{month:02d}", "--json"))
        bills += out["billed"] + out["held"]
    print(f"2025 billed: {bills:,} bills in {time.perf_counter() - started:.1f} s", flush=True)


def measure(env: dict[str, str], args: argparse.Namespace) -> None:
    database = "PostgreSQL" if args.postgres else "SQLite"
    out, seconds = timed(
        env, "capital-credits", "allocate", "--year", "2025", "--margins", "1500000.00",
        "--pool", args.pool, "--json",
    )  # fmt: skip
    allocation = json.loads(out)
    print(
        f"allocate 2025: {len(allocation['patrons']):,} patrons, total {allocation['total']}: "
        f"{seconds:.1f} s ({database}, load average {os.getloadavg()[0]:.1f})",
        flush=True,
    )

    out, seconds = timed(
        env, "capital-credits", "send-notices", "--year", "2025", "--pool", args.pool
    )
    print(f"{out.strip()}: {seconds:.1f} s (SMTP, one connection a message)", flush=True)

    code = f"POOL = {args.pool!r}\n" + SYNTHESIZE
    synthesized = run(env, "shell", "-c", code).split("synthesized")[-1]
    count, open_total = synthesized.split()
    approved = f"{(float(open_total) + 1500000) / 4:.2f}"
    print(f"20 open years: {int(count):,} credits", flush=True)
    cash = ["--gt-cash", approved] if args.pool != "operating" else []
    out, seconds = timed(
        env, "capital-credits", "retire", "--approved", approved, "--method", args.method,
        "--pool", args.pool, *cash,
        "--resolution", "Benchmark", "--approved-on", "2026-06-01", "--on", "2026-06-15",
        "--equity", "90000000.00", "--assets", "200000000.00", "--json",
    )  # fmt: skip
    result = json.loads(out)
    print(
        f"retire ({args.method}) {result['retired']} of {approved} approved: "
        f"{result['payouts']:,} payouts: {seconds:.1f} s ({database}, load average "
        f"{os.getloadavg()[0]:.1f})"
    )


if __name__ == "__main__":
    main()
