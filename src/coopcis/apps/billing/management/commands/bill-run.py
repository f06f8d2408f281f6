"""``coopcis bill-run --period YYYY-MM [--cycle N] [--json]``: bill a month, exactly once."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import CommandParser
from tqdm import tqdm

from coopcis.apps.billing.run import accounts_due, run_billing
from coopcis.core.errors import RuleViolation
from coopcis.core.periods import Period, PeriodError
from coopcis.site.commands import CoopCommand


class Command(CoopCommand):
    help = "Bill every account due for a billing month (re-running is a no-op)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="billing month YYYY-MM")
        parser.add_argument("--cycle", type=int, help="only this billing cycle")
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def run(self, *args: Any, **options: Any) -> None:
        try:
            Period.parse_month(options["period"])
        except PeriodError as error:
            raise RuleViolation(str(error), field="period") from None
        if options["batch_size"] < 1:
            raise RuleViolation("must be at least 1", field="batch-size")
        total = len(accounts_due(options["cycle"]))
        with tqdm(total=total, unit="acct", file=sys.stderr, disable=None, desc="bill-run") as bar:
            result = run_billing(
                period_label=options["period"],
                cycle=options["cycle"],
                batch_size=options["batch_size"],
                progress=bar.update,
            )
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json()))
            return
        self.stdout.write(
            f"Billed {result.billed} bills for {result.period} (${result.total_amount:,.2f}), "
            f"held {result.held} for review, skipped {result.skipped}, "
            f"{result.already_billed} already billed; {result.seconds:.1f} s"
        )
        if result.skipped:
            self.stdout.write(
                f"See the skipped accounts with `coopcis billing issues --run {result.run_id}`."
            )
