"""``coopcis bill-run --period YYYY-MM [--cycle N] [--dry-run] [--json]``: bill a month, once."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandParser

from coopcis.apps.audit.context import current_actor
from coopcis.apps.billing.distributed import run_billing_on_workers
from coopcis.apps.billing.models import Bill, BillRunIssue
from coopcis.apps.billing.run import RunResult, accounts_due, run_billing
from coopcis.core.errors import RuleViolation
from coopcis.core.periods import Period, PeriodError
from coopcis.site.commands import CoopCommand
from coopcis.site.jobs import (
    add_dry_run_option,
    dry_run,
    dry_run_heading,
    dry_run_mark,
    job_progress,
    refuse_dry_run_on_workers,
    today,
)


class Command(CoopCommand):
    help = (
        "Bill every account due for a billing month (re-running is a no-op, and finishes a "
        "run that was interrupted). No bill is dated after today (America/Denver): a month "
        "that has not begun is refused, and a service whose bill date (read day plus the "
        "cycle's lag) is still ahead is left for a later run (issue BILL_DATE_AHEAD)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="billing month YYYY-MM")
        parser.add_argument("--cycle", type=int, help="only this billing cycle")
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--workers",
            action="store_true",
            help="queue the batches for `coopcis worker` processes (PostgreSQL and "
            "COOPCIS_BROKER_URL) and follow them until done",
        )
        add_dry_run_option(parser)
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def run(self, *args: Any, **options: Any) -> None:
        try:
            Period.parse_month(options["period"])
        except PeriodError as error:
            raise RuleViolation(str(error), field="period") from None
        if options["batch_size"] < 1:
            raise RuleViolation("must be at least 1", field="batch-size")
        rehearsal = options["dry_run"]
        refuse_dry_run_on_workers(options)
        total = len(accounts_due(options["cycle"]))
        with (
            job_progress("bill-run", unit="acct", total=total) as bar,
            dry_run(rehearsal),
        ):
            if options["workers"]:
                result = run_billing_on_workers(
                    period_label=options["period"],
                    cycle=options["cycle"],
                    batch_size=options["batch_size"],
                    progress=bar.update,
                    today=today(),
                    operator=current_actor().label,
                )
            else:
                result = run_billing(
                    period_label=options["period"],
                    cycle=options["cycle"],
                    batch_size=options["batch_size"],
                    progress=bar.update,
                    today=today(),
                )
            planned = _planned(result) if rehearsal else []
        if options["json"]:
            data = result.as_json() | dry_run_mark(rehearsal)
            if rehearsal:
                data["bills"] = planned
            self.stdout.write(json.dumps(data))
            return
        if rehearsal:
            self.stdout.write(dry_run_heading(True))
            for row in planned:
                what = f"${row['amount']}" if "amount" in row else row["reason"]
                self.stdout.write(
                    f"  {row['account']} {row['service_point']} {row['status']} {what}"
                )
        verb = "Would bill" if rehearsal else "Billed"
        self.stdout.write(
            f"{verb} {result.billed} bills for {result.period} (${result.total_amount:,.2f}), "
            f"held {result.held} for review, skipped {result.skipped}, "
            f"{result.already_billed} already billed; {result.seconds:.1f} s"
        )
        if result.skipped and not rehearsal:
            self.stdout.write(
                f"See the skipped accounts with `coopcis billing issues --run {result.run_id}`."
            )


def _planned(result: RunResult) -> list[dict[str, str]]:
    """Each bill and skip of a run, read back inside the dry run before it is rolled back."""
    bills = (
        Bill.objects.filter(run_id=result.run_id)
        .order_by("account__number", "service_point__code")
        .values_list("account__number", "service_point__code", "status", "total_amount")
    )
    rows = [
        {"account": number, "service_point": point, "status": status, "amount": f"{amount:.2f}"}
        for number, point, status, amount in bills
    ]
    issues = (
        BillRunIssue.objects.filter(run_id=result.run_id)
        .order_by("account__number")
        .values_list("account__number", "service_point__code", "reason")
    )
    rows += [
        {"account": number, "service_point": point or "-", "status": "SKIPPED", "reason": reason}
        for number, point, reason in issues
    ]
    return rows
