"""``coopcis report trial-balance|aging|revenue|gl-export``: the books, for people and scripts."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from coopcis.apps.ledger import reports
from coopcis.site.commands import CoopCommand


def parse_date(text: str | None, *, default: date | None = None) -> date | None:
    if text is None:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {text!r}") from None


class Command(CoopCommand):
    help = "Ledger reports: trial balance, receivables aging, revenue by class, GL export."
    read_only = True

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="report", required=True)
        trial = sub.add_parser("trial-balance", help="every account's balance; totals agree")
        trial.add_argument("--through", help="YYYY-MM-DD (default: everything)")
        trial.add_argument("--json", action="store_true")
        aging = sub.add_parser("aging", help="open receivables by age, oldest paid first")
        aging.add_argument("--as-of", help="YYYY-MM-DD (default: today)")
        aging.add_argument("--json", action="store_true")
        revenue = sub.add_parser("revenue", help="revenue by RUS account and rate class")
        revenue.add_argument("--from", dest="since", required=True, help="YYYY-MM-DD")
        revenue.add_argument("--to", dest="through", required=True, help="YYYY-MM-DD")
        revenue.add_argument("--json", action="store_true")
        export = sub.add_parser("gl-export", help="journal lines as CSV")
        export.add_argument("--out", required=True, help="CSV file to write ('-' for stdout)")
        export.add_argument("--from", dest="since")
        export.add_argument("--to", dest="through")

    def run(self, *args: Any, **options: Any) -> None:
        handler = {
            "trial-balance": self._trial_balance,
            "aging": self._aging,
            "revenue": self._revenue,
            "gl-export": self._export,
        }[options["report"]]
        handler(options)

    def _trial_balance(self, options: dict[str, Any]) -> None:
        trial = reports.trial_balance(through=parse_date(options["through"]))
        if options["json"]:
            self.stdout.write(json.dumps(trial.as_json(), indent=2))
            return
        self.stdout.write(f"{'account':<8} {'name':<62} {'debit':>14} {'credit':>14}")
        for row in trial.rows:
            debit = f"{row.debit:,.2f}" if row.debit else ""
            credit = f"{row.credit:,.2f}" if row.credit else ""
            self.stdout.write(f"{row.number:<8} {row.name[:62]:<62} {debit:>14} {credit:>14}")
        self.stdout.write(
            f"{'':<8} {'Totals':<62} {trial.total_debit:>14,.2f} {trial.total_credit:>14,.2f}"
        )
        if not trial.balanced:
            raise CommandError("the trial balance does not balance")

    def _aging(self, options: dict[str, Any]) -> None:
        as_of = parse_date(options["as_of"], default=timezone.localdate())
        assert as_of is not None
        rows = reports.aging(as_of=as_of)
        totals = {
            bucket: sum((r.buckets[bucket] for r in rows), reports.ZERO)
            for bucket in reports.AGING_BUCKETS
        }
        credit = sum((r.credit for r in rows), reports.ZERO)
        if options["json"]:
            payload = {
                "as_of": as_of.isoformat(),
                "totals": {bucket: f"{amount:.2f}" for bucket, amount in totals.items()},
                "credit_balances": f"{credit:.2f}",
                "accounts": [
                    {
                        "account": row.number,
                        "name": row.name,
                        **{
                            bucket: f"{row.buckets[bucket]:.2f}" for bucket in reports.AGING_BUCKETS
                        },
                        "credit": f"{row.credit:.2f}",
                        "total": f"{row.total:.2f}",
                    }
                    for row in rows
                ],
            }
            self.stdout.write(json.dumps(payload, indent=2))
            return
        self.stdout.write(f"Receivables aging as of {as_of} ({len(rows)} accounts)")
        for bucket, amount in totals.items():
            label = "current" if bucket == "current" else f"{bucket} days"
            self.stdout.write(f"  {label:<10} {amount:>16,.2f}")
        self.stdout.write(f"  {'credits':<10} {-credit:>16,.2f}")

    def _revenue(self, options: dict[str, Any]) -> None:
        rows = reports.revenue_by_class(
            since=parse_date(options["since"]),  # type: ignore[arg-type]
            through=parse_date(options["through"]),  # type: ignore[arg-type]
        )
        if options["json"]:
            self.stdout.write(json.dumps({"revenue": rows}, indent=2))
            return
        for row in rows:
            self.stdout.write(
                f"{row['account']:<8} {row['name'][:50]:<50} {row['rate_class']:<18} {row['amount']:>14}"
            )

    def _export(self, options: dict[str, Any]) -> None:
        since, through = parse_date(options["since"]), parse_date(options["through"])
        if options["out"] == "-":
            count = reports.export_gl(sys.stdout, since=since, through=through)
        else:
            path = Path(options["out"])
            with path.open("w", newline="", encoding="utf-8") as out:
                count = reports.export_gl(out, since=since, through=through)
        self.stderr.write(f"{count} journal lines exported")
