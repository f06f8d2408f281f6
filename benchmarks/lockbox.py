"""Benchmark: post a 100,000-item lockbox file, matched and applied, as a whole process.

    .venv/bin/python benchmarks/lockbox.py [--items 100000] [--backend sqlite|postgres|both]

For each backend: a fresh database (SQLite in a temporary folder; PostgreSQL as a new
database on 127.0.0.1:5432 as user postgres, dropped afterwards), migrated; a co-op of
N accounts, each with one open October bill item and its opening receivable on the
ledger (bulk inserts); a lockbox CSV of N items whose scan lines come from
``make_scan_line`` (97% pay the bill exactly, 1% overpay by $10, 1% pay half, 1% carry a
misread stub and go to suspense). Then ``coopcis lockbox import FILE --json`` runs as a
subprocess and its wall time is the figure; ``coopcis reconcile --date`` checks that the
day ties to GL cash afterwards. One JSON line per backend; the figures go into
docs/benchmarks.md ("Lockbox posting (issue 5)") by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COOPCIS = str(ROOT / ".venv" / "bin" / "coopcis")
DEPOSIT_DAY = date(2026, 10, 15)
FIRST_ACCOUNT = 1_000_000
BATCH_ITEMS = 500


def amount_due(index: int) -> Decimal:
    return Decimal(5000 + (index * 7919) % 25000) / 100


def paid(index: int) -> Decimal:
    due = amount_due(index)
    if index % 100 == 1:
        return due + 10
    if index % 100 == 2:
        return (due / 2).quantize(Decimal("0.01"))
    return due


def build_coop(accounts: int) -> None:
    """Bulk-insert ``accounts`` members, each owing one October bill (run in a child)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopcis.site.settings")
    django.setup()
    from coopcis.apps.ledger.services import Posting, post_entries
    from coopcis.apps.members.models import Account, Party
    from coopcis.apps.receivables.models import ReceivableItem
    from coopcis.core.ledger.entries import JournalEntry, credit, debit
    from coopcis.core.money import Money

    parties = Party.objects.bulk_create(
        [
            Party(kind="PERSON", first_name="Member", last_name=str(i), display_name=f"Member {i}")
            for i in range(accounts)
        ],
        batch_size=2000,
    )
    rows = Account.objects.bulk_create(
        [
            Account(
                number=str(FIRST_ACCOUNT + i),
                party=party,
                rate_class="RESIDENTIAL",
                opened_on=date(2020, 1, 1),
                mailing_line1=f"{i} Main St",
                mailing_city="Alamogordo",
                mailing_zip="88310",
            )
            for i, party in enumerate(parties)
        ],
        batch_size=2000,
    )
    for start in range(0, accounts, 2000):
        chunk = range(start, min(start + 2000, accounts))
        due = [Money(amount_due(i)) for i in chunk]
        lines = [
            debit("142.1", amount, member_account=str(FIRST_ACCOUNT + i))
            for i, amount in zip(chunk, due, strict=True)
        ]
        lines.append(credit("440.1", sum(due, Money.zero())))
        entry = JournalEntry(posted_on=date(2026, 10, 10), memo="October bills", lines=tuple(lines))
        post_entries([Posting(entry=entry, kind="BILL", source_key=f"bench-bills:{start}")])
    ReceivableItem.objects.bulk_create(
        [
            ReceivableItem(
                account=account,
                category="ELECTRIC",
                description="Electric bill 2026-10 (ocec-res)",
                amount=amount_due(i),
                posted_on=date(2026, 10, 10),
                due_on=date(2026, 10, 30),
                gl_account="142.1",
            )
            for i, account in enumerate(rows)
        ],
        batch_size=2000,
    )


def write_file(path: Path, items: int, accounts: int) -> Decimal:
    sys.path.insert(0, str(ROOT / "src"))
    from coopcis.core.billing.scan_line import make_scan_line
    from coopcis.core.money import Money

    total = Decimal("0.00")
    with path.open("w") as out:
        out.write("deposit_date,batch,item,scan_line,amount,check_number,payer_name\n")
        for i in range(items):
            account = i % accounts
            scan = make_scan_line(
                account_number=str(FIRST_ACCOUNT + account),
                bill_number=f"202610-{account + 1:08d}",
                amount_due=Money(amount_due(account)),
            )
            if i % 100 == 0:  # a misread stub: the check digit no longer matches
                scan = scan[:-1] + str((int(scan[-1]) + 1) % 10)
            amount = paid(account)
            total += amount
            batch, item = divmod(i, BATCH_ITEMS)
            out.write(f"{DEPOSIT_DAY},{batch + 1},{item + 1},{scan},{amount},{100000 + i},\n")
        out.write(f"TOTAL,{items},{total}\n")
    return total


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(env: dict[str, str], *args: str) -> tuple[str, float]:
    started, cpu = time.perf_counter(), _child_cpu()
    done = subprocess.run([COOPCIS, *args], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    run.cpu_seconds = _child_cpu() - cpu  # type: ignore[attr-defined]
    if done.returncode != 0:
        sys.exit(f"coopcis {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout, seconds


def bench(backend: str, items: int, accounts: int, data: Path) -> dict[str, object]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("COOPCIS_")}
    env["COOPCIS_VAR_DIR"] = tempfile.mkdtemp(prefix="coopcis-lockbox-")
    env["COOPCIS_OPERATOR"] = "operator"
    database = f"coopcis_bench_lockbox_{os.getpid()}"
    psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc"]
    if backend == "postgres":
        subprocess.run([*psql, f"CREATE DATABASE {database}"], check=True)
        env["COOPCIS_DATABASE_URL"] = f"postgresql://postgres@127.0.0.1:5432/{database}"
    try:
        run(env, "migrate", "-v", "0")
        run(env, "staff", "add", "operator", "--role", "manager")
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, __file__, "--build", str(accounts)], env=env, check=True, cwd=ROOT
        )
        built = time.perf_counter() - started
        out, seconds = run(env, "lockbox", "import", str(data), "--json", "--no-progress")
        result = json.loads(out)
        cpu = run.cpu_seconds  # type: ignore[attr-defined]
        load = os.getloadavg()[0]
        again, again_seconds = run(env, "lockbox", "import", str(data), "--json", "--no-progress")
        report, _ = run(env, "reconcile", "--date", DEPOSIT_DAY.isoformat(), "--json")
        deposits = json.loads(report)
        return {
            "backend": backend,
            "wall_seconds": round(seconds, 1),
            "in_process_seconds": result["seconds"],
            "cpu_seconds": round(cpu, 1),
            "load_average": round(load, 1),
            "matched": result["matched"],
            "suspense": result["suspense"],
            "total": result["total"],
            "build_seconds": round(built, 1),
            "second_import": json.loads(again)["duplicate"],
            "second_import_seconds": round(again_seconds, 1),
            "ties": deposits["ties"],
            "books_tie": deposits["gl_cash_debits"] == deposits["received_total"],
            "gl_cash_debits": deposits["gl_cash_debits"],
            "received_total": deposits["received_total"],
        }
    finally:
        if backend == "postgres":
            subprocess.run([*psql, f"DROP DATABASE IF EXISTS {database}"], check=False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--accounts", type=int, default=None, help="default: one per item")
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--build", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        build_coop(args.build)
        return
    accounts = args.accounts or args.items
    data = Path(tempfile.mkdtemp(prefix="coopcis-lockbox-file-")) / f"lockbox-{args.items}.csv"
    total = write_file(data, args.items, accounts)
    print(f"file: {data} ({args.items:,} items, ${total:,})", file=sys.stderr)
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    results = []
    for backend in backends:
        result = bench(backend, args.items, accounts, data)
        print(json.dumps(result), flush=True)
        results.append(result)


if __name__ == "__main__":
    main()
