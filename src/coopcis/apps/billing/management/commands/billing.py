"""``coopcis billing ...``: the month's factors and taxes, cycles, holds, issues, cancel and rebill."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from coopcis.apps.billing.corrections import cancel_bill, rebill, release_bill
from coopcis.apps.billing.models import (
    Bill,
    BillingCycle,
    BillRun,
    BillRunIssue,
    BillStatus,
    LocationTax,
    RiderFactor,
)
from coopcis.apps.billing.runs import list_runs
from coopcis.core.money import AmountError, parse_decimal
from coopcis.core.periods import Period, PeriodError
from coopcis.site.commands import CoopCommand
from coopcis.site.jobs import add_date_option

#: A factor or tax rate is stored with six decimals ($/kWh, or a fraction), never rounded.
RATE_PLACES = 6
LARGEST_RATE = Decimal(1000)


def _decimal(text: str, name: str) -> Decimal:
    """A factor or rate by the one number parser (``core.money.parse_decimal``): plain
    digits with a sign (a PCA may be a credit), at most six decimals, no exponent."""
    try:
        return parse_decimal(text, field=f"--{name}", places=RATE_PLACES, largest=LARGEST_RATE)
    except AmountError as refused:
        raise CommandError(f"--{name}: {refused.message}") from None


def _date(text: str | None) -> date:
    if text is None:
        return timezone.localdate()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _month(text: str) -> str:
    try:
        Period.parse_month(text)
    except PeriodError as error:
        raise CommandError(str(error)) from None
    return text


def _bill(pk: int) -> Bill:
    bill = Bill.objects.filter(pk=pk).first()
    if bill is None:
        raise CommandError(f"no bill {pk}")
    return bill


class Command(CoopCommand):
    help = "Billing set-up and staff work on bills."
    read_only_actions = frozenset({"issues", "holds"})

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        factors = sub.add_parser("factors", help="set a month's PCA and DCA factors ($/kWh)")
        factors.add_argument("--month", required=True)
        factors.add_argument("--pca", required=True)
        factors.add_argument("--dca", required=True)
        factors.add_argument("--source", required=True, help="the filing the factors come from")
        tax = sub.add_parser("tax", help="set a tax rate for a county from a date")
        tax.add_argument("--county", required=True)
        tax.add_argument("--name", required=True)
        tax.add_argument("--rate", required=True, help="fraction: 0.0725 for 7.25%%")
        tax.add_argument("--from", dest="effective_on", required=True)
        tax.add_argument("--source", required=True)
        cycle = sub.add_parser("cycle", help="set a billing cycle's read day and bill lag")
        cycle.add_argument("number", type=int)
        cycle.add_argument("--read-day", type=int, required=True)
        cycle.add_argument("--bill-lag", type=int, default=3)
        runs = sub.add_parser(
            "runs",
            help="bill runs, newest first, with their state",
            description="Bill runs, newest first: RUNNING, FINISHED, or INTERRUPTED (killed or "
            "stopped midway; the next run of the month bills the rest and is named as the run "
            "that finished it). Counts of an unfinished run are what it committed.",
        )
        runs.add_argument("--period", help="only this billing month YYYY-MM")
        runs.add_argument("--limit", type=int, default=50)
        runs.add_argument("--json", action="store_true")
        issues = sub.add_parser("issues", help="what a bill run skipped, and why")
        issues.add_argument("--run", type=int, help="bill run id (default: the latest)")
        issues.add_argument("--json", action="store_true")
        holds = sub.add_parser("holds", help="bills held for review")
        holds.add_argument("--period")
        holds.add_argument("--json", action="store_true")
        release = sub.add_parser("release", help="post a held bill as it is")
        release.add_argument("bill", type=int)
        release.add_argument("--note", required=True)
        cancel = sub.add_parser("cancel", help="cancel a bill (reversing entry), optionally rebill")
        cancel.add_argument("bill", type=int)
        cancel.add_argument("--reason", required=True)
        add_date_option(cancel, "--on", help="day of the reversal (default today)", required=False)
        cancel.add_argument("--rebill", action="store_true")

    def run(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _factors(self, options: dict[str, Any]) -> None:
        month = _month(options["month"])
        for code in ("pca", "dca"):
            RiderFactor.objects.update_or_create(
                month=month,
                code=code,
                defaults={"per_kwh": _decimal(options[code], code), "source": options["source"]},
            )
        self.stdout.write(f"Factors for {month}: PCA {options['pca']}, DCA {options['dca']} $/kWh")

    def _tax(self, options: dict[str, Any]) -> None:
        rate = _decimal(options["rate"], "rate")
        if not Decimal(0) <= rate < 1:
            raise CommandError("--rate: a fraction from 0 up to 1 (0.0725 for 7.25%)")
        LocationTax.objects.update_or_create(
            county=options["county"],
            name=options["name"],
            effective_on=_date(options["effective_on"]),
            defaults={"rate": rate, "source": options["source"]},
        )
        self.stdout.write(
            f"{options['name']} in {options['county']}: {rate} from {options['effective_on']}"
        )

    def _cycle(self, options: dict[str, Any]) -> None:
        if not 1 <= options["read_day"] <= 28:
            raise CommandError("--read-day: 1 to 28, so every month has it")
        BillingCycle.objects.update_or_create(
            number=options["number"],
            defaults={"read_day": options["read_day"], "bill_lag_days": options["bill_lag"]},
        )
        self.stdout.write(
            f"Cycle {options['number']}: read on day {options['read_day']}, bill {options['bill_lag']} days later"
        )

    def _runs(self, options: dict[str, Any]) -> None:
        period = _month(options["period"]) if options["period"] else None
        rows = list_runs(period=period, limit=options["limit"])
        if options["json"]:
            self.stdout.write(json.dumps({"runs": [row.as_json() for row in rows]}))
            return
        if not rows:
            self.stdout.write("No bill runs.")
            return
        for row in rows:
            cycle = f"cycle {row.cycle}" if row.cycle is not None else "all cycles"
            started = timezone.localtime(row.started_at)
            finished = f", finished by run {row.finished_by}" if row.finished_by is not None else ""
            self.stdout.write(
                f"  run {row.run_id:>5} {row.period} {cycle:<10} {row.status:<11} "
                f"started {started:%Y-%m-%d %H:%M}  billed {row.billed}, held {row.held}, "
                f"skipped {row.skipped}, ${row.total_amount:,.2f}{finished}"
            )

    def _issues(self, options: dict[str, Any]) -> None:
        run = (
            BillRun.objects.filter(pk=options["run"]).first()
            if options["run"]
            else BillRun.objects.order_by("-pk").first()
        )
        if run is None:
            raise CommandError("no such bill run")
        rows = list(
            BillRunIssue.objects.filter(run=run)
            .select_related("account")
            .values_list("account__number", "meter_serial", "reason", "detail")
        )
        if options["json"]:
            keys = ("account", "meter", "reason", "detail")
            self.stdout.write(
                json.dumps(
                    {
                        "run": run.pk,
                        "period": run.period,
                        "issues": [dict(zip(keys, row, strict=True)) for row in rows],
                    }
                )
            )
            return
        self.stdout.write(f"Bill run {run.pk} for {run.period}: {len(rows)} skipped")
        for account, meter, reason, detail in rows:
            self.stdout.write(f"  {account} {meter or '-':<12} {reason:<18} {detail}")

    def _holds(self, options: dict[str, Any]) -> None:
        bills = (
            Bill.objects.filter(status=BillStatus.HELD)
            .select_related("account")
            .order_by("period", "id")
        )
        if options["period"]:
            bills = bills.filter(period=_month(options["period"]))
        rows = [
            (b.pk, b.period, b.account.number, f"{b.total_amount:.2f}", b.hold_reasons)
            for b in bills
        ]
        if options["json"]:
            keys = ("bill", "period", "account", "total", "reasons")
            self.stdout.write(
                json.dumps({"held": [dict(zip(keys, row, strict=True)) for row in rows]})
            )
            return
        for pk, period, account, amount, reasons in rows:
            self.stdout.write(
                f"  bill {pk} {period} account {account} ${amount} {', '.join(reasons)}"
            )
        self.stdout.write(f"{len(rows)} bills held for review")

    def _release(self, options: dict[str, Any]) -> None:
        bill = release_bill(bill=_bill(options["bill"]), note=options["note"])
        self.stdout.write(f"Released and posted bill {bill.number} (${bill.total_amount})")

    def _cancel(self, options: dict[str, Any]) -> None:
        bill = cancel_bill(
            bill=_bill(options["bill"]),
            reason=options["reason"],
            on=options["on"] or timezone.localdate(),
        )
        self.stdout.write(f"Cancelled bill {bill.number}")
        if options["rebill"]:
            new = rebill(cancelled=bill)
            self.stdout.write(
                f"Rebilled as bill {new.number}: ${new.total_amount} ({new.get_status_display()})"
            )
