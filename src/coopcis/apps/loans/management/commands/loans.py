"""``coopcis loans apply|approve|disburse|payoff-quote|payoff|schedule``: aid-to-construction
loans (SEC policy 424). ``coopcis loans quote`` runs without the database
(``coopcis.commands.programs``).

``disburse --on`` and ``payoff --on`` post to the ledger: no date after today
(:mod:`coopcis.site.jobs`), and ``--dry-run`` shows what would be posted.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from coopcis.apps.loans import services
from coopcis.apps.loans.models import Loan, Security
from coopcis.apps.loans.schedule import schedule_pdf
from coopcis.apps.members.models import Account
from coopcis.site.commands import CoopCommand, amount
from coopcis.site.jobs import (
    add_date_option,
    add_dry_run_option,
    dry_run,
    dry_run_heading,
    parse_day,
)


class Command(CoopCommand):
    help = "Aid-to-construction loans: apply, approve, disburse, pay off, print the schedule."
    read_only_actions = frozenset({"payoff-quote", "schedule"})

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        apply = sub.add_parser("apply", help="record an application and decide eligibility")
        apply.add_argument("account")
        apply.add_argument("--aid", required=True, type=amount, help="the aid-to-construction")
        apply.add_argument("--amount", required=True, type=amount, help="the loan asked for")
        apply.add_argument("--months", type=int, help="a shorter term than the longest allowed")
        apply.add_argument("--purpose", required=True, help="the line extension it pays for")
        add_date_option(apply, "--on", help="the day of the application")
        apply.add_argument("--security", required=True, choices=[s.lower() for s in Security])
        apply.add_argument("--mortgage-fees-due", type=amount, default=None)
        apply.add_argument("--mortgage-fees-paid", type=amount, default=None)
        apply.add_argument("--waiver-note", default="", help="why capital credits suffice")
        apply.add_argument("--prior-utility-report", default="", help="a clean prior report")
        apply.add_argument("--credit-report-on", type=parse_day, help="the agency report's date")
        apply.add_argument("--credit-agency", default="")
        apply.add_argument("--bad-debt", action="store_true", help="the report shows bad debt")
        approve = sub.add_parser("approve", help="the general manager's or the board's approval")
        approve.add_argument("loan", type=int)
        approve.add_argument("--by", required=True, choices=["general_manager", "board"])
        approve.add_argument("--meeting-date", type=parse_day, help="the board meeting's date")
        add_date_option(approve, "--on", help="the day of the approval")
        disburse = sub.add_parser("disburse", help="lend the money (posts Dr 141, Cr 131)")
        disburse.add_argument("loan", type=int)
        add_date_option(disburse, "--on", help="the day the loan is paid out")
        add_dry_run_option(disburse)
        quote = sub.add_parser("payoff-quote", help="what pays the loan off as of a date")
        quote.add_argument("loan", type=int)
        quote.add_argument("--as-of", required=True, type=parse_day)
        quote.add_argument("--json", action="store_true")
        payoff = sub.add_parser("payoff", help="bill the early payoff now")
        payoff.add_argument("loan", type=int)
        add_date_option(payoff, "--on", help="the day of the payoff")
        add_dry_run_option(payoff)
        schedule = sub.add_parser("schedule", help="the amortization schedule (PDF, or --json)")
        schedule.add_argument("loan", type=int)
        schedule.add_argument("--out", help="write the PDF here")
        schedule.add_argument("--json", action="store_true")

    def run(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["action"].replace("-", "_"))(options)

    def _loan(self, pk: int) -> Loan:
        found = Loan.objects.select_related("account__party").filter(pk=pk).first()
        if found is None:
            raise CommandError(f"no loan {pk}")
        return found

    def _apply(self, options: dict[str, Any]) -> None:
        account = Account.objects.filter(number=options["account"]).first()
        if account is None:
            raise CommandError(f"no account {options['account']}")
        zero = Decimal("0.00")
        loan = services.apply_for_loan(
            account=account,
            on=options["on"],
            aid=options["aid"],
            amount=options["amount"],
            months=options["months"],
            purpose=options["purpose"],
            security=options["security"].upper(),
            prior_utility_report=options["prior_utility_report"],
            credit_report_on=options["credit_report_on"],
            credit_agency=options["credit_agency"],
            bad_debt_found=options["bad_debt"],
            mortgage_fees_due=options["mortgage_fees_due"] or zero,
            mortgage_fees_paid=options["mortgage_fees_paid"] or zero,
            waiver_note=options["waiver_note"],
        )
        if loan.refusals:
            self.stdout.write(f"loan {loan.pk} denied: " + "; ".join(loan.refusals))
            return
        self.stdout.write(
            f"loan {loan.pk} applied: ${loan.amount:,} over {loan.months} months at "
            f"${loan.payment_amount:,} (final ${loan.final_payment_amount:,}); late months "
            f"{loan.late_months}; qualifies"
        )

    def _approve(self, options: dict[str, Any]) -> None:
        loan = services.approve_loan(
            loan=self._loan(options["loan"]),
            on=options["on"],
            approver=options["by"],
            board_meeting_on=options["meeting_date"],
        )
        self.stdout.write(f"loan {loan.pk} approved by {loan.get_approver_display().lower()}")

    def _disburse(self, options: dict[str, Any]) -> None:
        with dry_run(options["dry_run"]):
            loan = services.disburse_loan(loan=self._loan(options["loan"]), on=options["on"])
            text = (
                f"loan {loan.pk} disbursed {loan.disbursed_on}: Dr 141 ${loan.amount:,}, "
                f"Cr 131 ${loan.amount:,}; {loan.months} installments on the bills"
            )
        if options["dry_run"]:
            self.stdout.write(dry_run_heading(True))
        self.stdout.write(text)

    def _payoff_quote(self, options: dict[str, Any]) -> None:
        quote = services.payoff_quote(loan=self._loan(options["loan"]), as_of=options["as_of"])
        if options["json"]:
            self.stdout.write(json.dumps(quote.as_json()))
            return
        self.stdout.write(
            f"loan {quote.loan_id} payoff as of {quote.as_of}: ${quote.amount:,} (principal "
            f"${quote.principal:,}, interest ${quote.interest:,}); installments billed and "
            f"unpaid ${quote.open_installments:,}"
        )

    def _payoff(self, options: dict[str, Any]) -> None:
        with dry_run(options["dry_run"]):
            item = services.pay_off_loan(loan=self._loan(options["loan"]), on=options["on"])
            text = f"{item.description}: ${item.amount:,} billed, due {item.due_on}"
        if options["dry_run"]:
            self.stdout.write(dry_run_heading(True))
        self.stdout.write(text)

    def _schedule(self, options: dict[str, Any]) -> None:
        loan = self._loan(options["loan"])
        if options["json"]:
            rows = [
                {
                    "number": row.number,
                    "payment": str(row.payment_amount),
                    "interest": str(row.interest_amount),
                    "principal": str(row.principal_amount),
                    "balance_after": str(row.balance_after_amount),
                    "period": row.period,
                }
                for row in loan.installments.order_by("number")
            ]
            self.stdout.write(json.dumps({"loan": loan.pk, "installments": rows}))
            return
        if not options["out"]:
            raise CommandError("say where to write the PDF: --out FILE.pdf (or --json)")
        Path(options["out"]).write_bytes(schedule_pdf(loan))
        self.stdout.write(f"wrote {options['out']}")
