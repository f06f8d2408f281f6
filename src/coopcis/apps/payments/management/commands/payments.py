"""``coopcis payments api-key create|revoke|list``: keys for the payment front ends."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from coopcis.apps.payments.keys import create_api_key, revoke_api_key
from coopcis.apps.payments.models import ApiChannel, ChannelApiKey
from coopcis.site.commands import CoopCommand


class Command(CoopCommand):
    help = "Payments: API keys for the online, kiosk, IVR and mobile front ends."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="area", required=True)
        keys = sub.add_parser("api-key", help="make, revoke or list channel API keys")
        actions = keys.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="make a key; it is printed once")
        create.add_argument("--channel", required=True, choices=ApiChannel.values)
        create.add_argument("--name", required=True, help='who uses it, e.g. "Tularosa kiosk"')
        revoke = actions.add_parser("revoke", help="stop a key from working")
        revoke.add_argument("prefix", help="the key's prefix (as listed)")
        actions.add_parser("list", help="every key: prefix, channel, name, state, last used")

    def run(self, *args: Any, **options: Any) -> None:
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
        else:
            for record in ChannelApiKey.objects.order_by("channel", "name", "id"):
                used = record.last_used_at.isoformat() if record.last_used_at else "never"
                state = "active" if record.active else "revoked"
                self.stdout.write(
                    f"{record.prefix}\t{record.channel}\t{state}\tlast used {used}\t{record.name}"
                )
