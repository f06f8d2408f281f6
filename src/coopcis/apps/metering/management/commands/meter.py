"""``coopcis meter install|remove``: field work on meters from the command line."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import CommandError, CommandParser

from coopcis.apps.metering.models import Meter
from coopcis.apps.metering.services import install_meter, remove_meter
from coopcis.apps.premises.models import ServicePoint
from coopcis.site.commands import CoopCommand


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {text!r}") from None


class Command(CoopCommand):
    help = "Install or remove a meter at a service point."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        install = sub.add_parser("install", help="install a meter at a service point")
        install.add_argument("serial")
        install.add_argument("--service-point", required=True)
        install.add_argument("--on", required=True, help="YYYY-MM-DD")
        remove = sub.add_parser("remove", help="remove a meter from where it is installed")
        remove.add_argument("serial")
        remove.add_argument("--on", required=True, help="YYYY-MM-DD")
        remove.add_argument("--reason", default="")

    def run(self, *args: Any, **options: Any) -> None:
        on = _date(options["on"])
        meter = Meter.objects.filter(serial=options["serial"]).first()
        if meter is None:
            raise CommandError(f"no meter {options['serial']!r}")
        if options["action"] == "install":
            code = options["service_point"]
            point = ServicePoint.objects.filter(code=code).first()
            if point is None:
                raise CommandError(f"no service point {code!r}")
            install_meter(meter=meter, service_point=point, installed_on=on)
            self.stdout.write(f"Installed meter {meter.serial} at {point.code} on {on}")
        else:
            installation = remove_meter(meter=meter, removed_on=on, reason=options["reason"])
            self.stdout.write(
                f"Removed meter {meter.serial} from {installation.service_point.code} on {on}"
            )
