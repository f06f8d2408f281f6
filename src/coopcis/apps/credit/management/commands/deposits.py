"""``coopcis deposits``: members' security deposits (SEC Rule No. 4).

``review --as-of DATE [--dry-run] [--json]`` is the daily job (``--as-of`` may not be
after today: :mod:`coopcis.site.jobs`) (anniversary interest, refunds, deferrals,
unclaimed refunds); the others decide, take, receipt and refund deposits and keep the
commission's interest rate table.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from coopcis.apps.credit import services
from coopcis.apps.credit.models import CreditDecision, Deposit
from coopcis.apps.members.management.arguments import find_account
from coopcis.site.commands import CoopCommand, amount, day
from coopcis.site.jobs import add_daily_job_options, add_date_option, dry_run, write_json_report


def number(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise CommandError(f"not a number: {text!r}") from None


MONEY_KEYS = {"amount", "interest", "credited", "check", "kept_as_credit"}


def _detail(row: str | dict[str, str]) -> str:
    """One line of a review list: an account number, or its fields (amounts with $)."""
    if isinstance(row, str):
        return row
    return " ".join(
        f"{key.replace('_', ' ')} " + (f"${Decimal(value):.2f}" if key in MONEY_KEYS else value)
        for key, value in row.items()
    )


class Command(CoopCommand):
    help = "Security deposits: decide, take, receipt, review on anniversaries, refund."
    read_only_actions = frozenset({"receipt"})

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        review = sub.add_parser(
            "review",
            help="the daily anniversary review",
            description="The daily deposit job as of --as-of: interest, refunds, deferrals, "
            "unclaimed refunds. --as-of may not be after today (America/Denver): interest and "
            "refunds for an anniversary that has not come would be posted early.",
        )
        add_daily_job_options(review, "--as-of", help="the day the review runs for")
        decide = sub.add_parser("decide", help="decide whether a deposit is required")
        decide.add_argument("account")
        decide.add_argument("--event", required=True)
        decide.add_argument("--on", required=True, type=day)
        decide.add_argument(
            "--credit", action="append", default=[], help="how credit was established"
        )
        decide.add_argument("--special-consideration", default="")
        decide.add_argument("--amount", type=amount)
        take = sub.add_parser("take", help="take a deposit at the office and print the receipt")
        take.add_argument("account")
        take.add_argument("--amount", required=True, type=amount)
        add_date_option(take, "--on", help="the day the deposit is paid")
        take.add_argument("--decision", type=int)
        take.add_argument("--receipt-out", help="write the receipt PDF here")
        receipt = sub.add_parser("receipt", help="write a deposit's receipt PDF")
        receipt.add_argument("deposit", type=int)
        receipt.add_argument("--language", default="")
        receipt.add_argument("--on", required=True, type=day)
        receipt.add_argument("--out", required=True)
        refund = sub.add_parser("refund", help="refund a deposit now (service ended, request)")
        refund.add_argument("deposit", type=int)
        add_date_option(refund, "--on", help="the day of the refund")
        refund.add_argument("--by-check", action="store_true")
        excess = sub.add_parser("excess", help="the member asks for the excess over the bill")
        excess.add_argument("deposit", type=int)
        add_date_option(excess, "--on", help="the day of the refund of the excess")
        rate = sub.add_parser("rate", help="add the commission's interest rate")
        rate.add_argument("--from", dest="effective_on", required=True, type=day)
        rate.add_argument("--rate", required=True, type=number, help="fraction: 0.0125 = 1.25%%")
        rate.add_argument("--source", required=True)

    def run(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["action"])(options)

    def _review(self, options: dict[str, Any]) -> None:
        with dry_run(options["dry_run"]):
            report = services.review_deposits(as_of=options["as_of"]).as_json()
        if write_json_report(self.stdout.write, report, options):
            return
        self.stdout.write(f"Deposit review as of {report['as_of']}")
        for name, count in report["counts"].items():  # type: ignore[attr-defined]
            self.stdout.write(f"  {name:<18} {count:>5}")
            if options["dry_run"] and name != "unclaimed":
                for row in report[name]:  # type: ignore[attr-defined]
                    self.stdout.write(f"    {_detail(row)}")
        for row in report["unclaimed"]:  # type: ignore[attr-defined]
            self.stdout.write(
                f"  unclaimed {row['account']} {row['name']} ${row['amount']} ({row['why']})"
            )

    def _decide(self, options: dict[str, Any]) -> None:
        made = services.decide_deposit(
            account=find_account(options["account"]),
            event=options["event"].upper(),
            on=options["on"],
            credit_methods=[method.upper() for method in options["credit"]],
            special_consideration=options["special_consideration"],
            amount=options.get("amount"),
        )
        reasons = ", ".join(made.reasons) or "none"
        self.stdout.write(
            f"decision {made.pk}: {'deposit $' + str(made.amount) if made.required else 'no deposit'}"
            f" (grounds: {reasons}; estimate: {made.estimate_source or '-'})"
        )

    def _take(self, options: dict[str, Any]) -> None:
        decision = (
            CreditDecision.objects.get(pk=options["decision"]) if options.get("decision") else None
        )
        member = find_account(options["account"])
        deposit = services.take_deposit(
            account=member, amount=options["amount"], on=options["on"], decision=decision
        )
        if options.get("receipt_out"):
            receipt = services.issue_receipt(deposit, language=member.language, on=options["on"])
            Path(options["receipt_out"]).write_bytes(bytes(receipt.pdf))
        self.stdout.write(f"deposit {deposit.pk} ${deposit.amount} held from {deposit.held_on}")

    def _receipt(self, options: dict[str, Any]) -> None:
        deposit = Deposit.objects.select_related("account").get(pk=options["deposit"])
        language = options["language"].upper() or deposit.account.language
        receipt = services.issue_receipt(deposit, language=language, on=options["on"])
        Path(options["out"]).write_bytes(bytes(receipt.pdf))
        self.stdout.write(f"wrote {options['out']}")

    def _refund(self, options: dict[str, Any]) -> None:
        split = services.refund_deposit(
            Deposit.objects.get(pk=options["deposit"]),
            on=options["on"],
            by_check=options["by_check"],
        )
        self.stdout.write(
            f"credited ${split.credit.amount}, check ${split.check.amount}, "
            f"kept as credit ${split.held_as_credit.amount}"
        )

    def _excess(self, options: dict[str, Any]) -> None:
        paid = services.request_excess(Deposit.objects.get(pk=options["deposit"]), on=options["on"])
        self.stdout.write(
            f"excess refund ${paid.amount}" if paid else "excess will be paid by check at refund"
        )

    def _rate(self, options: dict[str, Any]) -> None:
        made = services.set_interest_rate(
            effective_on=options["effective_on"],
            annual_rate=options["rate"],
            source=options["source"],
        )
        self.stdout.write(f"rate {made.annual_rate} from {made.effective_on}")
