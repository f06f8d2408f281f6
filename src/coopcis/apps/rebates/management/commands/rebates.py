"""``coopcis rebates claim|inspect|approve|deny|claims|budget|report``: efficiency rebate
claims (OCEC handbook). ``coopcis rebates list|quote`` run without the database
(``coopcis.commands.programs``).

``approve --on`` may post (a rebate paid by check: Dr 908, Cr 232): no date after today
(:mod:`coopcis.site.jobs`), and ``--dry-run`` shows what it would do.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from coopcis.apps.members.models import Account
from coopcis.apps.rebates import services
from coopcis.apps.rebates.models import ClaimStatus, RebateClaim
from coopcis.apps.rebates.report import report_csv, report_pdf, year_report
from coopcis.core.money import parse_decimal
from coopcis.site.commands import CoopCommand, amount
from coopcis.site.jobs import add_date_option, add_dry_run_option, dry_run, dry_run_heading
from coopcis.site.jobs import parse_day as day


def _read(path: str | None) -> bytes | None:
    if path is None:
        return None
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise CommandError(f"cannot read {path}: {error.strerror}") from None


class Command(CoopCommand):
    help = "Efficiency rebate claims: file, inspect, decide, budget, the PRC report."
    read_only_actions = frozenset({"report", "claims"})

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        claim = sub.add_parser("claim", help="file a claim with its receipt and proof")
        claim.add_argument("account")
        claim.add_argument("measure")
        claim.add_argument("--cost", required=True, type=amount, help="what the member paid")
        claim.add_argument("--quantity", type=int, default=1)
        claim.add_argument("--size", help="for measures rebated by size (e.g. cu ft)")
        claim.add_argument("--purchased-on", required=True, type=day)
        add_date_option(claim, "--on", help="the day the claim is received")
        claim.add_argument("--retailer", required=True)
        claim.add_argument("--model", default="")
        claim.add_argument("--pay-by", choices=["bill_credit", "check"], default="bill_credit")
        claim.add_argument("--receipt", help="the receipt of purchase (PDF, JPEG or PNG)")
        claim.add_argument("--energy-star", help="the ENERGY STAR certification")
        claim.add_argument("--form", help="the signed rebate form")
        inspect = sub.add_parser("inspect", help="schedule an inspection or record its result")
        inspect.add_argument("claim", type=int)
        inspect.add_argument("--stage", required=True, choices=["pre", "post"])
        inspect.add_argument("--schedule", type=day, help="book it for this day")
        inspect.add_argument("--inspector", default="")
        inspect.add_argument("--result", choices=["passed", "failed"])
        inspect.add_argument("--on", type=day, help="the day it was inspected")
        inspect.add_argument("--notes", default="")
        approve = sub.add_parser("approve", help="approve a claim (a check posts to 232)")
        approve.add_argument("claim", type=int)
        add_date_option(approve, "--on", help="the day of the decision")
        add_dry_run_option(approve)
        deny = sub.add_parser("deny", help="deny a claim with a reason")
        deny.add_argument("claim", type=int)
        add_date_option(deny, "--on", help="the day of the decision")
        deny.add_argument("--reason", required=True)
        claims = sub.add_parser("claims", help="list claims")
        claims.add_argument("--status", choices=[s.lower() for s in ClaimStatus])
        claims.add_argument("--json", action="store_true")
        budget = sub.add_parser("budget", help="the year's program budget and per-account limit")
        budget.add_argument("--year", required=True, type=int)
        budget.add_argument("--amount", required=True, type=amount)
        budget.add_argument("--per-account", required=True, type=amount)
        budget.add_argument("--source", required=True)
        report = sub.add_parser("report", help="the yearly report to the PRC (CSV, PDF, JSON)")
        report.add_argument("--year", required=True, type=int)
        report.add_argument("--csv", help="write the CSV here")
        report.add_argument("--pdf", help="write the PDF here")
        report.add_argument("--json", action="store_true")

    def run(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["action"])(options)

    def _claim_row(self, pk: int) -> RebateClaim:
        found = RebateClaim.objects.select_related("account").filter(pk=pk).first()
        if found is None:
            raise CommandError(f"no rebate claim {pk}")
        return found

    def _claim(self, options: dict[str, Any]) -> None:
        account = Account.objects.filter(number=options["account"]).first()
        if account is None:
            raise CommandError(f"no account {options['account']}")
        uploads = []
        for kind, key in (("RECEIPT", "receipt"), ("ENERGY_STAR", "energy_star"), ("FORM", "form")):
            data = _read(options[key])
            if data is not None:
                uploads.append(services.Upload(kind, Path(options[key]).name, data))
        size = options["size"]
        made = services.submit_claim(
            account=account,
            measure_code=options["measure"],
            on=options["on"],
            purchased_on=options["purchased_on"],
            cost=options["cost"],
            retailer=options["retailer"],
            uploads=uploads,
            pay_by=options["pay_by"].upper(),
            quantity=options["quantity"],
            size=parse_decimal(size, field="--size", places=2, largest=amount("100000"))
            if size is not None
            else None,
            model_number=options["model"],
        )
        self.stdout.write(
            f"claim {made.pk}: {made.measure_code} rebate ${made.rebate_amount:,} "
            f"({made.get_status_display().lower()})"
        )

    def _inspect(self, options: dict[str, Any]) -> None:
        claim, stage = self._claim_row(options["claim"]), options["stage"].upper()
        if options["schedule"]:
            booked = services.schedule_inspection(
                claim=claim, stage=stage, on=options["schedule"], inspector=options["inspector"]
            )
            self.stdout.write(f"claim {claim.pk}: {stage} inspection on {booked.scheduled_on}")
            return
        if not options["result"] or not options["on"]:
            raise CommandError("give --schedule DATE, or --result passed|failed --on DATE")
        done = services.record_inspection(
            claim=claim,
            stage=stage,
            on=options["on"],
            passed=options["result"] == "passed",
            notes=options["notes"],
        )
        self.stdout.write(f"claim {claim.pk}: {stage} inspection {done.result.lower()}")

    def _approve(self, options: dict[str, Any]) -> None:
        with dry_run(options["dry_run"]):
            made = services.approve_claim(claim=self._claim_row(options["claim"]), on=options["on"])
            text = f"claim {made.pk} approved: ${made.rebate_amount:,} " + (
                "by check (Dr 908, Cr 232)"
                if made.status == ClaimStatus.PAID
                else "as a credit on the next bill"
            )
        if options["dry_run"]:
            self.stdout.write(dry_run_heading(True))
        self.stdout.write(text)

    def _deny(self, options: dict[str, Any]) -> None:
        made = services.deny_claim(
            claim=self._claim_row(options["claim"]), on=options["on"], reason=options["reason"]
        )
        self.stdout.write(f"claim {made.pk} denied: {made.reason}")

    def _claims(self, options: dict[str, Any]) -> None:
        rows = RebateClaim.objects.select_related("account").order_by("submitted_on", "id")
        if options["status"]:
            rows = rows.filter(status=options["status"].upper())
        listed = [
            {
                "claim": claim.pk,
                "account": claim.account.number,
                "measure": claim.measure_code,
                "rebate": str(claim.rebate_amount),
                "status": claim.status,
                "submitted_on": claim.submitted_on.isoformat(),
            }
            for claim in rows
        ]
        if options["json"]:
            self.stdout.write(json.dumps(listed))
            return
        for row in listed:
            self.stdout.write(
                f"{row['claim']:>6} {row['account']:<10} {row['measure']:<24} "
                f"${row['rebate']:>9} {row['status']:<10} {row['submitted_on']}"
            )

    def _budget(self, options: dict[str, Any]) -> None:
        made = services.set_budget(
            year=options["year"],
            amount=options["amount"],
            per_account=options["per_account"],
            source=options["source"],
        )
        self.stdout.write(
            f"rebate budget {made.year}: ${made.budget_amount:,}, "
            f"${made.per_account_amount:,} per account"
        )

    def _report(self, options: dict[str, Any]) -> None:
        report = year_report(options["year"])
        if options["csv"]:
            Path(options["csv"]).write_text(report_csv(report), encoding="utf-8")
        if options["pdf"]:
            Path(options["pdf"]).write_bytes(report_pdf(report))
        if options["json"]:
            self.stdout.write(json.dumps(report.as_json()))
            return
        self.stdout.write(
            f"{report.year}: budget ${report.budget:,}, used ${report.used:,}, "
            f"left ${report.left:,}"
        )
        for row in report.rows:
            self.stdout.write(
                f"  {row.measure:<24} {row.claims:>4} claims {row.approved:>4} approved "
                f"${row.rebates:>10,}"
            )
