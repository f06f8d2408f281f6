"""``coopcis account show NUMBER [--json]``: an account as staff see it, for scripts too."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandError, CommandParser

from coopcis.apps.members.models import Account
from coopcis.site.commands import CoopCommand


def account_summary(account: Account) -> dict[str, Any]:
    party = account.party
    membership = getattr(party, "membership", None)
    agreements = account.agreements.select_related("service_point__premise").order_by("start_on")
    return {
        "number": account.number,
        "name": party.display_name,
        "rate_class": account.rate_class,
        "status": account.status,
        "due_days": account.due_days,
        "language": account.language,
        "paperless": account.paperless,
        "autopay": account.autopay,
        "mailing_address": account.mailing_address.one_line(),
        "membership": None
        if membership is None
        else {"number": membership.number, "kind": membership.kind, "status": membership.status},
        "agreements": [
            {
                "service_point": agreement.service_point.code,
                "service_address": str(agreement.service_point.premise),
                "tariff_code": agreement.tariff_code,
                "start_on": agreement.start_on.isoformat(),
                "end_on": agreement.end_on.isoformat() if agreement.end_on else None,
            }
            for agreement in agreements
        ],
    }


class Command(CoopCommand):
    help = "Show a member account."
    read_only = True

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("show", help="show one account")
        show.add_argument("number")
        show.add_argument("--json", action="store_true")

    def run(self, *args: Any, **options: Any) -> None:
        number = options["number"]
        account = Account.objects.select_related("party").filter(number=number).first()
        if account is None:
            raise CommandError(f"no account {number!r}")
        summary = account_summary(account)
        if options["json"]:
            self.stdout.write(json.dumps(summary, indent=2))
            return
        self.stdout.write(f"Account {summary['number']}  {summary['name']}")
        self.stdout.write(
            f"  {summary['rate_class']}, {summary['status']}, due in {summary['due_days']} days"
        )
        self.stdout.write(f"  Mail to: {summary['mailing_address']}")
        for agreement in summary["agreements"]:
            self.stdout.write(
                f"  {agreement['tariff_code']} at {agreement['service_point']} "
                f"({agreement['service_address']}) from {agreement['start_on']}"
                f" to {agreement['end_on'] or 'open'}"
            )
