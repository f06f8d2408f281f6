"""``coopcis lockbox ...``: import a remittance file; list, resolve and refund suspense items."""

from __future__ import annotations

import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import connection
from django.utils import timezone
from tqdm import tqdm

from coopcis.apps.members.models import Account
from coopcis.apps.payments.lockbox.importing import (
    import_lockbox_file,
    refund_suspense,
    resolve_suspense,
)
from coopcis.apps.payments.lockbox.models import SuspenseItem, SuspenseStatus
from coopcis.site.commands import CoopCommand
from coopcis.site.jobs import (
    add_date_option,
    add_dry_run_option,
    dry_run,
    dry_run_heading,
    dry_run_mark,
    today,
)


def _date(day: date | None) -> date:
    return timezone.localdate() if day is None else day


#: A file this large changes the tables' statistics: refresh them on PostgreSQL, so the
#: day's deposit report (and other joins on payments and the ledger) are planned from what
#: is there now, not from before the load (autovacuum would do it, a while later).
ANALYZE_AFTER = 10_000
ANALYZED = (
    "payments_payment",
    "payments_paymentapplication",
    "receivables_receivableitem",
    "ledger_journalentry",
    "ledger_journalline",
    "payments_suspenseitem",
)


def _analyze() -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(ANALYZED)}")


def _item(pk: int) -> SuspenseItem:
    item = SuspenseItem.objects.filter(pk=pk).first()
    if item is None:
        raise CommandError(f"no suspense item {pk}")
    return item


class Command(CoopCommand):
    help = "Lockbox remittance files and the suspense queue."
    read_only_actions = frozenset({"suspense"})

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser(
            "import",
            help="import a lockbox CSV or bank BAI2 file",
            description="Post a lockbox or bank file's payments. A file whose deposit date is "
            "after today (America/Denver) is refused: payments are not dated a day that has "
            "not come.",
        )
        load.add_argument("file")
        load.add_argument("--format", choices=["csv", "bai2"], help="default: from the content")
        add_dry_run_option(load)
        load.add_argument("--json", action="store_true")
        load.add_argument("--no-progress", action="store_true", help="no progress bar")
        queue = sub.add_parser("suspense", help="remittances that matched no account")
        queue.add_argument("--all", action="store_true", help="resolved and refunded too")
        queue.add_argument("--json", action="store_true")
        resolve = sub.add_parser("resolve", help="apply a suspense item to a member account")
        resolve.add_argument("item", type=int)
        resolve.add_argument("--account", required=True)
        resolve.add_argument("--note", required=True)
        add_date_option(
            resolve, "--on", help="day to post the transfer (default today)", required=False
        )
        refund = sub.add_parser("refund", help="return a suspense item to its remitter")
        refund.add_argument("item", type=int)
        refund.add_argument("--note", required=True)
        add_date_option(refund, "--on", help="day of the refund (default today)", required=False)

    def run(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _import(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        content = path.read_bytes()
        started = time.perf_counter()
        bar = tqdm(
            desc="posting",
            unit=" items",
            file=sys.stderr,
            disable=options["no_progress"] or None,
        )
        rehearsal = options["dry_run"]
        try:
            with dry_run(rehearsal):
                result = import_lockbox_file(
                    content=content,
                    name=path.name,
                    file_format=options["format"],
                    progress=bar.update,
                    today=today(),
                )
        finally:
            bar.close()
        seconds = time.perf_counter() - started
        if not rehearsal and not result.duplicate and result.file.item_count >= ANALYZE_AFTER:
            _analyze()
        if options["json"]:
            extra: dict[str, object] = {"seconds": round(seconds, 2), **dry_run_mark(rehearsal)}
            if rehearsal:
                extra["payments"] = [
                    [number, f"{amount:.2f}"] for number, amount in result.payments
                ]
                extra["suspense_items"] = [
                    [line, f"{amount:.2f}", reason] for line, amount, reason in result.held
                ]
            self.stdout.write(json.dumps(result.as_json() | extra))
            return
        record = result.file
        if rehearsal:
            self.stdout.write(dry_run_heading(True))
            for number, amount in result.payments:
                self.stdout.write(f"  payment {number} ${amount:,.2f}")
            for line, amount, reason in result.held:
                self.stdout.write(f"  suspense line {line} ${amount:,.2f}: {reason}")
        if result.duplicate:
            self.stdout.write(
                f"{path.name}: already imported as file {record.pk} on "
                f"{record.imported_at:%Y-%m-%d %H:%M}; nothing posted"
            )
            return
        self.stdout.write(
            f"{path.name} ({record.format}, deposit {record.deposit_date}): "
            f"{record.item_count} items ${record.total_amount:,.2f}; "
            f"matched {result.matched} ${result.matched_amount:,.2f}; "
            f"suspense {result.suspense} ${result.suspense_amount:,.2f}; "
            f"already posted {result.already}; {seconds:.1f} s"
        )

    def _suspense(self, options: dict[str, Any]) -> None:
        items = SuspenseItem.objects.select_related("file", "resolved_account").order_by("id")
        if not options["all"]:
            items = items.filter(status=SuspenseStatus.OPEN)
        rows = [
            {
                "item": item.pk,
                "status": item.status,
                "deposit_date": item.deposit_date.isoformat(),
                "amount": f"{item.amount:.2f}",
                "reason": item.reason,
                "remittance_text": item.remittance_text,
                "check_number": item.check_number,
                "payer_name": item.payer_name,
                "file": item.file.name,
                "line": item.line,
                "account": item.resolved_account.number if item.resolved_account else None,
                "note": item.note,
            }
            for item in items
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows))
            return
        if not rows:
            self.stdout.write("No suspense items.")
            return
        for row in rows:
            self.stdout.write(
                f"{row['item']:>6} {row['status']:<8} {row['deposit_date']} "
                f"${row['amount']:>10} {row['reason']}  [{row['file']} line {row['line']}] "
                f"{row['remittance_text']!r} {row['payer_name']}".rstrip()
            )

    def _resolve(self, options: dict[str, Any]) -> None:
        item = _item(options["item"])
        account = Account.objects.filter(number=options["account"]).first()
        if account is None:
            raise CommandError(f"no account {options['account']!r}")
        item = resolve_suspense(
            item=item, account=account, note=options["note"], on=_date(options["on"])
        )
        payment = item.payment
        assert payment is not None
        self.stdout.write(
            f"Suspense item {item.pk} ${item.amount} applied to account {account.number} "
            f"as payment {payment.pk} (credit balance ${payment.unapplied_amount})"
        )

    def _refund(self, options: dict[str, Any]) -> None:
        item = refund_suspense(
            item=_item(options["item"]), note=options["note"], on=_date(options["on"])
        )
        self.stdout.write(f"Suspense item {item.pk} ${item.amount} refunded")
