"""``coopcis meter add|install|remove``: the meter inventory and field work on meters."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from coopcis.apps.metering.models import Meter, MeterKind
from coopcis.apps.metering.services import install_meter, register_meter, remove_meter
from coopcis.apps.premises.models import ServicePoint
from coopcis.core.rating.intervals import INTERVAL_MINUTES
from coopcis.site.commands import CoopCommand, day

KINDS = {kind.value.lower().replace("_", "-"): kind.value for kind in MeterKind}


class Command(CoopCommand):
    help = "Add a meter to the inventory; install or remove a meter at a service point."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add a meter to the inventory (not yet installed)")
        add.add_argument("serial")
        add.add_argument("--kind", required=True, choices=sorted(KINDS))
        add.add_argument(
            "--interval-minutes", type=int, help="5, 15, 30 or 60 (ami-interval, net-meter)"
        )
        add.add_argument("--multiplier", type=int, default=1, help="CT/PT multiplier")
        add.add_argument("--dials", type=int, default=6, help="register digits")
        add.add_argument("--manufacturer", default="")
        add.add_argument("--measures-demand", action="store_true")
        install = sub.add_parser("install", help="install a meter at a service point")
        install.add_argument("serial")
        install.add_argument("--service-point", required=True)
        install.add_argument("--on", required=True, help="YYYY-MM-DD")
        remove = sub.add_parser("remove", help="remove a meter from where it is installed")
        remove.add_argument("serial")
        remove.add_argument("--on", required=True, help="YYYY-MM-DD")
        remove.add_argument("--reason", default="")

    def run(self, *args: Any, **options: Any) -> None:
        if options["action"] == "add":
            self._add(options)
            return
        on = day(options["on"])
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

    def _add(self, options: dict[str, Any]) -> None:
        kind = KINDS[options["kind"]]
        minutes = options["interval_minutes"]
        if kind == MeterKind.REGISTER and minutes is not None:
            raise CommandError("a register meter has no --interval-minutes")
        if kind != MeterKind.REGISTER and minutes not in INTERVAL_MINUTES:
            raise CommandError(
                f"a {options['kind']} meter needs --interval-minutes 5, 15, 30 or 60"
                + ("" if minutes is None else f", not {minutes}")
            )
        meter = register_meter(
            serial=options["serial"].strip(),
            kind=kind,
            interval_minutes=minutes,
            multiplier=options["multiplier"],
            dials=options["dials"],
            manufacturer=options["manufacturer"],
            measures_demand=options["measures_demand"],
        )
        detail = f", {minutes}-minute intervals" if minutes else ""
        self.stdout.write(f"Added meter {meter.serial} ({meter.get_kind_display()}{detail})")
