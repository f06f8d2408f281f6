"""``coopcis reconcile --date YYYY-MM-DD``: the day's deposit report, tied to 131 and the bank."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import CommandParser

from coopcis.apps.payments.reconciliation import deposit_report
from coopcis.site.commands import CoopCommand
from coopcis.site.jobs import add_daily_job_options, dry_run, write_json_report


class Command(CoopCommand):
    help = (
        "Daily deposit report by channel and tender, tied to GL cash and the bank's files. "
        "--date may not be after today (America/Denver): a day that has not come has no "
        "deposits to tie. The report only reads; --dry-run is accepted like every job's."
    )
    read_only = True

    def add_arguments(self, parser: CommandParser) -> None:
        add_daily_job_options(parser, "--date", help="the day whose deposits are tied out")

    def run(self, *args: Any, **options: Any) -> None:
        day: date = options["date"]
        with dry_run(options["dry_run"]):
            report = deposit_report(day=day)
        out = self.stdout.write
        if write_json_report(out, report.as_json(), options):
            return
        out(f"Deposits for {day}")
        out("Received by channel and tender")
        for row in report.received:
            pending = f"  ({row.pending_count} pending ${row.pending_amount:,.2f})" * bool(
                row.pending_count
            )
            out(
                f"  {row.channel:<14} {row.tender:<14} {row.count:>7} ${row.amount:>14,.2f}{pending}"
            )
        if report.suspense_count:
            out(
                f"  {'LOCKBOX':<14} {'(suspense)':<14} {report.suspense_count:>7} "
                f"${report.suspense_amount:>14,.2f}"
            )
        out(f"  {'total':<29} {'':>7} ${report.received_total:>14,.2f}")
        out(f"GL cash (131) debits posted      ${report.gl_cash_debits:>14,.2f}")
        out(f"Lockbox items posted             ${report.lockbox_posted:>14,.2f}")
        out("Bank and lockbox deposits")
        for bank in report.bank:
            mark = "matched" if bank.matched else "UNMATCHED"
            out(
                f"  {bank.format:<5} {bank.reference:<20} ${bank.amount:>14,.2f} "
                f"{bank.item_count:>6} items  {mark}  {bank.file}"
            )
        out(f"  bank total (BAI2)              ${report.bank_total:>14,.2f}")
        if report.ties:
            out("Ties: received = 131 debits, lockbox files = bank deposits.")
            return
        out("Differences")
        for difference in report.differences:
            out(f"  - {difference.kind}: {difference.detail}")
