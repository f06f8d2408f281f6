"""``coopcis bills print --period YYYY-MM --out DIR [--workers N] [--include-paperless]``.

Writes one PDF per posted bill of the period (``DIR/<bill number>.pdf``) and the print
manifest ``DIR/manifest-YYYY-MM.csv`` for the mail house; a summary line goes to stderr.
Held and cancelled bills are not printed. Paperless accounts' bills are rendered (the
portal serves them) but left out of the manifest unless ``--include-paperless``.
See :mod:`coopcis.apps.billing.pdf.printing`.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from tqdm import tqdm

from coopcis.apps.billing.pdf.printing import bills_to_print, print_bills, status_counts
from coopcis.core.periods import Period, PeriodError
from coopcis.site.commands import CoopCommand

MAX_WORKERS = 64


class Command(CoopCommand):
    help = "Print bills: one PDF per posted bill of a period, and a print manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        printing = sub.add_parser("print", help="render a period's posted bills to PDF")
        printing.add_argument("--period", required=True, help="billing month, YYYY-MM")
        printing.add_argument("--out", required=True, help="folder for the PDFs and manifest")
        printing.add_argument(
            "--workers",
            type=int,
            default=os.cpu_count() or 1,
            help="processes rendering in parallel (default: one per CPU)",
        )
        printing.add_argument(
            "--include-paperless",
            action="store_true",
            help="list paperless accounts' bills in the manifest too (they are always rendered)",
        )

    def run(self, *args: Any, **options: Any) -> None:
        try:
            Period.parse_month(options["period"])
        except PeriodError as error:
            raise CommandError(str(error)) from None
        period = options["period"]
        workers = options["workers"]
        if not 1 <= workers <= MAX_WORKERS:
            raise CommandError(f"--workers must be 1-{MAX_WORKERS}, got {workers}")
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
            result = print_bills(
                bill_ids=bill_ids,
                out_dir=out_dir,
                manifest_name=f"manifest-{period}.csv",
                workers=workers,
                include_paperless=options["include_paperless"],
                progress=bar.update,
            )
        seconds = time.perf_counter() - started
        paperless = len(result.printed) - result.in_manifest
        sys.stderr.write(
            f"coopcis bills print: {period}: {len(result.printed):,} PDFs "
            f"({result.pages:,} pages, {result.size_bytes / 1e6:,.1f} MB) in {seconds:,.1f} s "
            f"to {out_dir}; manifest {result.manifest.name}: {result.in_manifest:,} bills to "
            f"mail, {paperless:,} paperless not in it\n"
        )
        if result.failures:
            for failure in result.failures:
                sys.stderr.write(f"  bill {failure.bill_number}: {failure.reason}\n")
            raise CommandError(f"{len(result.failures)} bills could not be rendered (listed above)")
