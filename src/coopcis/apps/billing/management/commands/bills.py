"""``coopcis bills print`` and ``coopcis bills summary``: bills and statements to PDF.

``coopcis bills print --period YYYY-MM --out DIR [--processes N | --workers [--batch-size N]]
[--include-paperless]`` writes one PDF per posted bill of the period
(``DIR/<bill number>.pdf``) and the print manifest ``DIR/manifest-YYYY-MM.csv`` for the
mail house; a summary line goes to stderr. ``--processes N`` renders in N local processes;
``--workers`` queues batches of whole accounts for ``coopcis worker`` processes
(PostgreSQL and ``COOPCIS_BROKER_URL``), which write into DIR: it must be a folder they
share (the same path on every worker machine). The worker doing the job's last batch
writes the manifest, so it is written even if this command is killed; running the command
again picks up that job (its manifest, nothing rendered again).
Held and cancelled bills are not printed. Paperless accounts' bills are rendered (the
portal serves them) but left out of the manifest unless ``--include-paperless``.
See :mod:`coopcis.apps.billing.pdf.printing`.

``coopcis bills summary ACCOUNT --period YYYY-MM --out FILE.pdf`` writes the account
summary statement of an account with two or more posted bills in the month (SEC policy
408; :mod:`coopcis.apps.billing.pdf.summary`). An unknown account, or one with fewer
bills, is one line on stderr, a non-zero exit, and no file.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from tqdm import tqdm

from coopcis.apps.audit.context import current_actor
from coopcis.apps.billing import bill_text as bt
from coopcis.apps.billing.pdf.printing import (
    bills_to_print,
    print_bills,
    print_bills_on_workers,
    status_counts,
)
from coopcis.apps.billing.pdf.summary import load_summary_statement
from coopcis.apps.billing.pdf.summary_render import render_summary_statement
from coopcis.apps.jobs.broker import broker_url
from coopcis.catalog.profiles import active_profile
from coopcis.core.billing.scan_line import ScanLineError
from coopcis.core.periods import Period, PeriodError
from coopcis.site.commands import CoopCommand

MAX_PROCESSES = 64
#: Bills per batch on workers (whole accounts: a batch may run a few over).
BATCH_SIZE = 250


class Command(CoopCommand):
    help = (
        "Print bills: one PDF per posted bill of a period, and a print manifest; or an "
        "account's summary statement of its location bills."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        printing = sub.add_parser("print", help="render a period's posted bills to PDF")
        printing.add_argument("--period", required=True, help="billing month, YYYY-MM")
        printing.add_argument("--out", required=True, help="folder for the PDFs and manifest")
        printing.add_argument(
            "--processes",
            type=int,
            help="processes rendering in parallel on this machine (default: one per CPU)",
        )
        printing.add_argument(
            "--workers",
            action="store_true",
            help="queue batches of whole accounts for `coopcis worker` processes "
            "(PostgreSQL and COOPCIS_BROKER_URL) and follow them until done; the workers "
            "write the PDFs into --out, so it must be a folder they share",
        )
        printing.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help=f"bills per batch with --workers (default {BATCH_SIZE}; accounts are never split)",
        )
        printing.add_argument(
            "--include-paperless",
            action="store_true",
            help="list paperless accounts' bills in the manifest too (they are always rendered)",
        )
        summary = sub.add_parser(
            "summary", help="an account's summary statement of its location bills for a month"
        )
        summary.add_argument("account", help="account number")
        summary.add_argument("--period", required=True, help="billing month, YYYY-MM")
        summary.add_argument("--out", required=True, help="the PDF file to write")

    def run(self, *args: Any, **options: Any) -> None:
        try:
            Period.parse_month(options["period"])
        except PeriodError as error:
            raise CommandError(str(error)) from None
        if options["action"] == "summary":
            self._summary(options)
        else:
            self._print(options)

    def _summary(self, options: dict[str, Any]) -> None:
        period, out = options["period"], Path(options["out"])
        if out.is_dir():
            raise CommandError(f"--out {out} is a folder; name the PDF file to write")
        statement = load_summary_statement(account_number=options["account"], period=period)
        try:
            rendered = render_summary_statement(statement, active_profile())
        except ScanLineError as error:
            raise CommandError(f"account {statement.account_number}: {error}") from None
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(f"{out.name}.partial")
        partial.write_bytes(rendered.pdf)
        os.replace(partial, out)  # a reader never sees half a file
        sys.stderr.write(
            f"coopcis bills summary: account {statement.account_number} {period}: "
            f"{len(statement.bills)} bills totalling {bt.money(statement.total_amount)}, "
            f"amount due {bt.money(statement.amount_due_amount)} ({rendered.pages} "
            f"page{'' if rendered.pages == 1 else 's'}) to {out}\n"
        )

    def _print(self, options: dict[str, Any]) -> None:
        period = options["period"]
        processes = options["processes"]
        if options["workers"]:
            if processes is not None:
                raise CommandError(
                    "--processes is for printing in this process; with --workers each "
                    "worker's processes are `coopcis worker --concurrency N`"
                )
            if options["batch_size"] < 1:
                raise CommandError(f"--batch-size must be at least 1, got {options['batch_size']}")
            broker_url()  # refused in one line on SQLite or without a broker
        elif processes is None:
            processes = os.cpu_count() or 1
        elif not 1 <= processes <= MAX_PROCESSES:
            raise CommandError(f"--processes must be 1-{MAX_PROCESSES}, got {processes}")
        out_dir = Path(options["out"])
        if out_dir.exists() and not out_dir.is_dir():
            raise CommandError(f"--out {out_dir} is a file, not a folder")
        bill_ids = bills_to_print(period)
        if not bill_ids:
            counts = status_counts(period)
            raise CommandError(
                f"no posted bills for {period} to print "
                f"({counts['HELD']} held, {counts['CANCELLED']} cancelled)"
            )
        started = time.perf_counter()
        with tqdm(
            total=len(bill_ids), unit="bill", file=sys.stderr, disable=None, desc="bills"
        ) as bar:
            if options["workers"]:
                result = print_bills_on_workers(
                    period=period,
                    out_dir=out_dir,
                    manifest_name=f"manifest-{period}.csv",
                    include_paperless=options["include_paperless"],
                    batch_size=options["batch_size"],
                    operator=current_actor().label,
                    progress=bar.update,
                )
            else:
                result = print_bills(
                    period=period,
                    bill_ids=bill_ids,
                    out_dir=out_dir,
                    manifest_name=f"manifest-{period}.csv",
                    processes=processes,
                    include_paperless=options["include_paperless"],
                    progress=bar.update,
                )
        seconds = time.perf_counter() - started
        paperless = len(result.printed) - result.in_manifest
        statements = (
            f" and {len(result.statements):,} account summary statements"
            if result.statements
            else ""
        )
        sys.stderr.write(
            f"coopcis bills print: {period}: {len(result.printed):,} PDFs{statements} "
            f"({result.pages:,} pages, {result.size_bytes / 1e6:,.1f} MB) in {seconds:,.1f} s "
            f"to {out_dir}; manifest {result.manifest.name}: {result.in_manifest:,} bills to "
            f"mail in {result.envelopes:,} envelopes, {paperless:,} paperless not in it\n"
        )
        if result.failures:
            for failure in result.failures:
                sys.stderr.write(f"  {failure.bill_number}: {failure.reason}\n")
            raise CommandError(
                f"{len(result.failures)} documents could not be rendered (listed above)"
            )

    read_only = True
