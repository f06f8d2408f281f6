"""``coopcis autopay charge --date YYYY-MM-DD [--dry-run] [--json]``: recurring card autopay.

Charges every active recurring card whose account has a posted bill due on ``--date`` for
the account's amount due, once per card and bill (:mod:`coopcis.apps.payments.autopay`).
``--date`` may not be after today (America/Denver): a card is charged on the due date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import CommandParser

from coopcis.apps.payments.autopay import charge_recurring_cards
from coopcis.apps.payments.gateway import configured_gateway
from coopcis.site.commands import CoopCommand
from coopcis.site.jobs import add_daily_job_options, dry_run, write_json_report


class Command(CoopCommand):
    help = "Autopay by recurring card: charge the cards of the bills due on a day."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        charge = sub.add_parser(
            "charge",
            help="charge the recurring cards of the bills due on --date",
            description="Charge each active recurring card whose account has a bill due on "
            "--date for the amount due, once per card and bill. --date may not be after "
            "today (America/Denver). --dry-run asks the processor nothing.",
        )
        add_daily_job_options(charge, "--date", help="the due date whose bills are charged")

    def run(self, *args: Any, **options: Any) -> None:
        day: date = options["date"]
        with dry_run(options["dry_run"]):
            report = charge_recurring_cards(
                on=day, gateway=configured_gateway(), dry_run=options["dry_run"]
            )
        out = self.stdout.write
        if write_json_report(out, report.as_json(), options):
            return
        verb = "would charge" if options["dry_run"] else "charged"
        out(
            f"Autopay by card for bills due {day}: {verb} {len(report.charged)} "
            f"(${report.charged_amount:,.2f}), declined {len(report.declined)}, "
            f"skipped {len(report.skipped)}"
        )
        for number, amount, reason in report.declined:
            out(f"  declined {number} ${amount:,.2f}: {reason}")
        for number, reason in report.skipped:
            out(f"  skipped {number}: {reason}")
