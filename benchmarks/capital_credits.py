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

Faster setups, to measure the retirement again and again: ``--retire-only`` bills nothing
and allocates nothing; it writes all 20 years (2006-2025) with the bulk inserts (binary
``COPY`` on PostgreSQL) after the demo load, and times only the retirement (about two
minutes of setup on PostgreSQL instead of twelve). With ``--postgres``, ``--keep-template
NAME`` keeps a copy of the database as it is just before the first timed step, and
``--template NAME`` starts a later run from that copy (give the same ``--retire-only``);
drop it with ``psql -h 127.0.0.1 -U postgres -c 'DROP DATABASE NAME'``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

from _scratch import keep_as_template, scratch_env

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
    for year in range(2006, LAST_YEAR + 1):
        rows = []
        for pk in ids:
            cents = 500 + (pk * 7919 + year * 104729) % 20000
            rows.append((pk, Decimal(cents).scaleb(-2)))
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
    CapitalCredit.objects.filter(allocation__pool=POOL, allocation__year__lte=LAST_YEAR)
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
    cpu = _children_cpu()
    out = run(env, *args)
    seconds = time.perf_counter() - started
    print(f"  ({' '.join(args[:2])}: {_children_cpu() - cpu:.1f} s CPU in the process)")
    return out, seconds


def _children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes: on a busy machine the
    wall time grows with the load, this much less (the database server's is not in it)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=20000)
    parser.add_argument("--postgres", action="store_true", help="use a new PostgreSQL database")
    parser.add_argument("--method", default="percentage", choices=["percentage", "fifo", "hybrid"])
    parser.add_argument("--pool", default="operating")
    parser.add_argument("--from-dir", help="a folder with a loaded and billed coopcis.sqlite3")
    parser.add_argument(
        "--retire-only", action="store_true", help="no bills: write 20 years, time the retirement"
    )
    parser.add_argument("--keep-template", metavar="NAME", help="PostgreSQL: keep the setup")
    parser.add_argument("--template", metavar="NAME", help="PostgreSQL: start from a kept setup")
    args = parser.parse_args()
    if (args.keep_template or args.template) and not args.postgres:
        parser.error("--keep-template and --template are for --postgres")
    smtp = subprocess.Popen(
        [sys.executable, "-W", "ignore", "-m", "smtpd", "-n", "-c", "DebuggingServer",
         f"127.0.0.1:{SMTP_PORT}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        with scratch_env(postgres=args.postgres, template=args.template) as env:
            env["COOPCIS_OPERATOR"] = "operator"
            env["COOPCIS_EMAIL_URL"] = f"smtp://127.0.0.1:{SMTP_PORT}"
            if args.from_dir:
                env["COOPCIS_VAR_DIR"] = args.from_dir
                run(env, "migrate", "--verbosity", "0")
            elif args.template:
                run(env, "migrate", "--verbosity", "0")  # the code may be newer than the copy
            else:
                started = time.perf_counter()
                load(env, args)
                if args.retire_only:
                    synthesize(env, args, last_year=2025)
                print(f"setup: {time.perf_counter() - started:.1f} s", flush=True)
            if args.keep_template:
                keep_as_template(env, args.keep_template)
            if args.retire_only:
                retire(env, args)
            else:
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
    if args.retire_only:
        return
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

    synthesize(env, args, last_year=2024)
    retire(env, args)


def synthesize(env: dict[str, str], args: argparse.Namespace, *, last_year: int) -> None:
    """Write a credit for every account in each year 2006..last_year (bulk inserts)."""
    started = time.perf_counter()
    code = f"POOL = {args.pool!r}\nLAST_YEAR = {last_year}\n" + SYNTHESIZE
    run(env, "shell", "-c", code)
    print(f"years 2006-{last_year} written: {time.perf_counter() - started:.1f} s", flush=True)


def retire(env: dict[str, str], args: argparse.Namespace) -> None:
    """Time the retirement of a quarter of all that is open."""
    database = "PostgreSQL" if args.postgres else "SQLite"
    code = (
        "from django.db.models import Count, F, Sum\n"
        "from coopcis.apps.capital_credits.models import CapitalCredit\n"
        f"found = CapitalCredit.objects.filter(allocation__pool={args.pool!r}).aggregate("
        "n=Count('id'), open=Sum(F('amount') - F('retired_amount')))\n"
        "print('open', found['n'], found['open'])\n"
    )
    count, open_total = run(env, "shell", "-c", code).split("open")[-1].split()
    approved = f"{Decimal(open_total) / 4:.2f}"
    print(f"20 open years: {int(count):,} credits, {Decimal(open_total):,.2f} open", flush=True)
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
