"""``coopcis payments api-key create|revoke|limit|list``: keys for the payment front ends;
``coopcis payments refund-credit|refund-issued``: credit balances refunded by check."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from coopcis.apps.ledger.management.commands.report import parse_date
from coopcis.apps.members.models import Account
from coopcis.apps.payments.keys import create_api_key, revoke_api_key, set_key_limits
from coopcis.apps.payments.models import ApiChannel, ChannelApiKey, RefundRequest
from coopcis.apps.payments.services import issue_refund_check, request_refund
from coopcis.site.commands import CoopCommand, amount


class Command(CoopCommand):
    help = "Payments: API keys for the online, kiosk, IVR and mobile front ends."
    read_only_actions = frozenset({"list"})

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="area", required=True)
        keys = sub.add_parser("api-key", help="make, revoke or list channel API keys")
        actions = keys.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="make a key; it is printed once")
        create.add_argument("--channel", required=True, choices=ApiChannel.values)
        create.add_argument("--name", required=True, help='who uses it, e.g. "Tularosa kiosk"')
        revoke = actions.add_parser("revoke", help="stop a key from working")
        revoke.add_argument("prefix", help="the key's prefix (as listed)")
        limit = actions.add_parser(
            "limit", help="set a key's rate limit or flag threshold, or clear its flag"
        )
        limit.add_argument("prefix", help="the key's prefix (as listed)")
        limit.add_argument("--per-minute", type=int, help="requests a minute (429 past it)")
        limit.add_argument(
            "--flag-after", type=int, help="accounts read in a day that pay nothing through it"
        )
        limit.add_argument("--clear-flag", action="store_true", help="after reviewing the key")
        actions.add_parser(
            "list", help="every key: prefix, channel, state, limit, last used, name, flag"
        )
        refund = sub.add_parser("refund-credit", help="refund a credit balance by check request")
        refund.add_argument("account", help="account number")
        refund.add_argument("--amount", required=True, type=amount, help="dollars, e.g. 45.10")
        refund.add_argument("--reason", required=True)
        refund.add_argument("--on", required=True, help="YYYY-MM-DD")
        issued = sub.add_parser("refund-issued", help="record the refund check as sent")
        issued.add_argument("refund", type=int, help="refund request id")
        issued.add_argument("--check-number", required=True)
        issued.add_argument("--on", required=True, help="YYYY-MM-DD")

    def run(self, *args: Any, **options: Any) -> None:
        if options["area"] != "api-key":
            self._refund(options)
            return
        action = options["action"]
        if action == "create":
            issued = create_api_key(channel=options["channel"], name=options["name"])
            record = issued.record
            self.stdout.write(
                f"API key for {record.name} ({record.get_channel_display()}), "
                f"prefix {record.prefix}:\n{issued.key}\n"
                "Store it now in the front end's configuration: it is not kept and "
                "cannot be shown again."
            )
        elif action == "revoke":
            record = revoke_api_key(prefix=options["prefix"])
            self.stdout.write(f"Revoked {record.prefix} ({record.name}).")
        elif action == "limit":
            record = set_key_limits(
                prefix=options["prefix"],
                requests_per_minute=options["per_minute"],
                unpaid_lookups_flag=options["flag_after"],
                clear_flag=options["clear_flag"],
            )
            flag = "flagged" if record.flagged_at else "not flagged"
            self.stdout.write(
                f"{record.prefix} ({record.name}): {record.requests_per_minute} requests a "
                f"minute, flagged after {record.unpaid_lookups_flag} unpaid lookups a day; {flag}."
            )
        else:
            for record in ChannelApiKey.objects.order_by("channel", "name", "id"):
                used = record.last_used_at.isoformat() if record.last_used_at else "never"
                state = "active" if record.active else "revoked"
                flag = f"\tFLAGGED {record.flag_reason}" if record.flagged_at else ""
                self.stdout.write(
                    f"{record.prefix}\t{record.channel}\t{state}\t"
                    f"{record.requests_per_minute}/min\tlast used {used}\t{record.name}{flag}"
                )

    def _refund(self, options: dict[str, Any]) -> None:
        on = parse_date(options["on"])
        assert on is not None
        if options["area"] == "refund-credit":
            account = Account.objects.filter(number=options["account"]).first()
            if account is None:
                raise CommandError(f"no account {options['account']!r}")
            refund = request_refund(
                account=account, amount=options["amount"], on=on, reason=options["reason"]
            )
            self.stdout.write(
                f"Refund {refund.pk}: check for ${refund.amount} requested for {account.number}"
            )
            return
        refund = RefundRequest.objects.filter(pk=options["refund"]).first()
        if refund is None:
            raise CommandError(f"no refund request {options['refund']}")
        issue_refund_check(refund=refund, check_number=options["check_number"], on=on)
        self.stdout.write(f"Refund {refund.pk}: check {options['check_number']} issued")
