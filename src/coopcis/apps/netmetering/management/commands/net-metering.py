"""``coopcis net-metering``: interconnections, the avoided cost and the REC program (SEC
policy 425; docs/domain/net-metering.md).

``apply|approve|charge|in-service|refuse|withdraw|list`` run an interconnection from
application to in service; ``avoided-cost`` adds the dated avoided cost the excess is
credited at; ``rec-agree|rec-read|rec-reads|rec-rate|rec-pay|rec-statement`` run the
renewable energy credit program. ``rec-pay --on`` is a job: not after today, ``--dry-run``.
"""

from __future__ import annotations

import argparse
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from coopcis.apps.members.management.arguments import find_account
from coopcis.apps.netmetering import recs, services
from coopcis.apps.netmetering.models import CostKind, Interconnection, InterconnectionStatus
from coopcis.apps.netmetering.rec_pdf import rec_statement_pdf
from coopcis.apps.premises.models import ServicePoint
from coopcis.core.money import AmountError, Money, parse_decimal
from coopcis.site.commands import CoopCommand, amount
from coopcis.site.jobs import (
    add_date_option,
    add_dry_run_option,
    dry_run,
    dry_run_heading,
    dry_run_mark,
    parse_day,
    today,
)


def _number(field: str, places: int, largest: str):  # type: ignore[no-untyped-def]
    def parse(text: str) -> Decimal:
        try:
            return parse_decimal(text, field=field, places=places, largest=Decimal(largest))
        except AmountError as refused:
            raise argparse.ArgumentTypeError(refused.message) from None

    return parse


KW = _number("ac_kw", 3, "100000")
KWH = _number("kwh", 3, "999999999")
RATE = _number("rate", 6, "10")


def _month(text: str) -> tuple[int, int]:
    try:
        year, month = (int(part) for part in text.split("-"))
        if len(text) == 7 and 1 <= month <= 12:
            return year, month
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"not a month (YYYY-MM): {text!r}")


class Command(CoopCommand):
    help = "Net metering (SEC policy 425): interconnections, avoided cost, REC program."
    read_only_actions = frozenset({"list", "rec-reads", "rec-statement"})

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        apply = sub.add_parser("apply", help="an interconnection application")
        apply.add_argument("account")
        apply.add_argument("--service-point", required=True, help="the net meter's location")
        apply.add_argument(
            "--system", required=True, help="solar, wind, hydro, geothermal or biomass"
        )
        apply.add_argument("--ac-kw", required=True, type=KW, help="the system's AC rating")
        apply.add_argument("--on", type=parse_day, help="submitted on (default today)")
        approve = sub.add_parser("approve", help="approve, charging the application fee")
        approve.add_argument("interconnection", type=int)
        add_date_option(approve, "--on", help="the day of approval (the fee's date)")
        charge = sub.add_parser("charge", help="a study, upgrade or REC meter billed at cost")
        charge.add_argument("interconnection", type=int)
        charge.add_argument("--kind", required=True, choices=[k.lower() for k in CostKind.values])
        charge.add_argument("--amount", required=True, type=amount)
        charge.add_argument("--description", default="")
        add_date_option(charge, "--on", help="the day of the charge")
        in_service = sub.add_parser("in-service", help="the system in service, net meter in")
        in_service.add_argument("interconnection", type=int)
        add_date_option(in_service, "--on", help="the day the net meter is installed")
        in_service.add_argument("--net-meter", required=True, help="the net meter's serial")
        in_service.add_argument("--rec-meter", required=True, help="the REC meter's serial")
        for word in ("refuse", "withdraw"):
            close = sub.add_parser(word, help=f"{word} an application not yet in service")
            close.add_argument("interconnection", type=int)
            close.add_argument("--reason", required=True)
            close.add_argument("--on", type=parse_day, help="default today")
        listing = sub.add_parser("list", help="interconnections, newest first")
        listing.add_argument("--status", choices=[s.lower() for s in InterconnectionStatus.values])
        listing.add_argument("--json", action="store_true")
        avoided = sub.add_parser("avoided-cost", help="the avoided cost filed with the NM PRC")
        avoided.add_argument("--from", dest="effective_on", required=True, type=parse_day)
        avoided.add_argument("--rate", required=True, type=RATE, help="$/kWh, e.g. 0.0285")
        avoided.add_argument("--source", required=True, help="the filing")
        agree = sub.add_parser("rec-agree", help="the member opts in to the REC program")
        agree.add_argument("interconnection", type=int)
        agree.add_argument("--on", required=True, type=parse_day)
        agree.add_argument("--opening-kwh", required=True, type=KWH)
        read = sub.add_parser("rec-read", help="enter a REC meter reading (due by the 7th)")
        read.add_argument("account")
        read.add_argument("--read-on", required=True, type=parse_day)
        read.add_argument("--kwh", required=True, type=KWH, help="the REC meter's register")
        add_date_option(
            read, "--received-on", help="when the co-op got it (default today)", required=False
        )
        reads = sub.add_parser("rec-reads", help="the month's REC reads: late or missing")
        reads.add_argument("--month", required=True, type=_month, help="YYYY-MM")
        reads.add_argument("--as-of", type=parse_day, help="default today")
        reads.add_argument("--json", action="store_true")
        rate = sub.add_parser("rec-rate", help="the REC rate ($/kWh generated)")
        rate.add_argument("--from", dest="effective_on", required=True, type=parse_day)
        rate.add_argument("--rate", required=True, type=RATE)
        rate.add_argument("--source", required=True)
        pay = sub.add_parser(
            "rec-pay",
            help="the May or September REC payment",
            description="Pay each REC agreement its generation read since the last payment "
            "at the REC rate (May and September only). --on may not be after today.",
        )
        add_date_option(pay, "--on", help="the payment day")
        add_dry_run_option(pay)
        pay.add_argument("--json", action="store_true")
        statement = sub.add_parser("rec-statement", help="a member's yearly REC statement")
        statement.add_argument("account")
        statement.add_argument("--year", required=True, type=int)
        statement.add_argument(
            "--out", help="write it here instead of printing it: a PDF when FILE ends in .pdf"
        )

    def run(self, *args: Any, **options: Any) -> None:
        getattr(self, "_" + options["action"].replace("-", "_"))(options)

    @staticmethod
    def _interconnection(pk: int) -> Interconnection:
        found = Interconnection.objects.filter(pk=pk).first()
        if found is None:
            raise CommandError(f"no interconnection {pk}")
        return found

    def _show(self, ic: Interconnection) -> None:
        fee = f"; fee ${ic.fee_amount}" if ic.fee_amount is not None else ""
        self.stdout.write(
            f"interconnection {ic.pk}: {ic.account.number} at {ic.service_point.code}, "
            f"{ic.get_system_type_display().lower()} {ic.ac_kw} kW AC, "
            f"{ic.get_status_display().lower()}{fee}"
        )

    def _apply(self, options: dict[str, Any]) -> None:
        point = ServicePoint.objects.filter(code=options["service_point"]).first()
        if point is None:
            raise CommandError(f"no service point {options['service_point']}")
        self._show(
            services.apply_for_interconnection(
                account=find_account(options["account"]),
                service_point=point,
                system_type=options["system"],
                ac_kw=options["ac_kw"],
                on=options["on"] or today(),
            )
        )

    def _approve(self, options: dict[str, Any]) -> None:
        ic = self._interconnection(options["interconnection"])
        self._show(services.approve_interconnection(ic, on=options["on"]))

    def _charge(self, options: dict[str, Any]) -> None:
        made = services.charge_at_cost(
            self._interconnection(options["interconnection"]),
            kind=options["kind"].upper(),
            amount=Money(options["amount"]),
            on=options["on"],
            description=options["description"],
        )
        self.stdout.write(
            f"charged ${made.amount} ({made.get_kind_display()}) on {made.charged_on}"
        )

    def _in_service(self, options: dict[str, Any]) -> None:
        ic = services.put_in_service(
            self._interconnection(options["interconnection"]),
            on=options["on"],
            net_meter_serial=options["net_meter"],
            rec_meter_serial=options["rec_meter"],
        )
        self._show(ic)

    def _close(self, options: dict[str, Any], *, refused: bool) -> None:
        ic = services.close_interconnection(
            self._interconnection(options["interconnection"]),
            on=options["on"] or today(),
            reason=options["reason"],
            refused=refused,
        )
        self._show(ic)

    def _refuse(self, options: dict[str, Any]) -> None:
        self._close(options, refused=True)

    def _withdraw(self, options: dict[str, Any]) -> None:
        self._close(options, refused=False)

    def _list(self, options: dict[str, Any]) -> None:
        rows = Interconnection.objects.select_related("account", "service_point")
        if options["status"]:
            rows = rows.filter(status=options["status"].upper())
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    [
                        {
                            "id": ic.pk,
                            "account": ic.account.number,
                            "service_point": ic.service_point.code,
                            "system_type": ic.system_type,
                            "ac_kw": str(ic.ac_kw),
                            "status": ic.status,
                            "fee": None if ic.fee_amount is None else str(ic.fee_amount),
                        }
                        for ic in rows
                    ]
                )
            )
            return
        for ic in rows:
            self._show(ic)

    def _avoided_cost(self, options: dict[str, Any]) -> None:
        made = services.set_avoided_cost(
            effective_on=options["effective_on"],
            rate_per_kwh=options["rate"],
            source=options["source"],
        )
        self.stdout.write(f"avoided cost ${made.rate_per_kwh}/kWh from {made.effective_on}")

    def _rec_agree(self, options: dict[str, Any]) -> None:
        made = recs.sign_rec_agreement(
            interconnection=self._interconnection(options["interconnection"]),
            on=options["on"],
            opening_kwh=options["opening_kwh"],
        )
        self.stdout.write(f"REC agreement {made.pk} from {made.signed_on}")

    def _rec_read(self, options: dict[str, Any]) -> None:
        from coopcis.apps.audit.context import current_actor

        made = recs.enter_rec_read(
            account=find_account(options["account"]),
            read_on=options["read_on"],
            register_kwh=options["kwh"],
            received_on=options["received_on"] or today(),
            entered_by=current_actor().label,
        )
        self.stdout.write(f"REC read {made.register_kwh} kWh on {made.read_on}")

    def _rec_reads(self, options: dict[str, Any]) -> None:
        year, month = options["month"]
        report = recs.rec_read_report(year=year, month=month, as_of=options["as_of"] or today())
        if options["json"]:
            self.stdout.write(json.dumps([row.__dict__ for row in report]))
            return
        for row in report:
            self.stdout.write(f"{row.account:<12} {row.status.lower():<8} {row.name}")

    def _rec_rate(self, options: dict[str, Any]) -> None:
        made = recs.set_rec_rate(
            effective_on=options["effective_on"],
            rate_per_kwh=options["rate"],
            source=options["source"],
        )
        self.stdout.write(f"REC rate ${made.rate_per_kwh}/kWh from {made.effective_on}")

    def _rec_pay(self, options: dict[str, Any]) -> None:
        with dry_run(options["dry_run"]):
            paid = recs.pay_recs(on=options["on"])
            rows = [
                {
                    "account": payment.agreement.account.number,
                    "kwh": str(payment.to_kwh - payment.from_kwh),
                    "amount": str(payment.amount),
                }
                for payment in paid
            ]
        total = sum((Decimal(row["amount"]) for row in rows), Decimal("0.00"))
        if options["json"]:
            report = {"paid": len(rows), "total": f"{total:.2f}", "payments": rows}
            self.stdout.write(json.dumps(report | dry_run_mark(options["dry_run"])))
            return
        if options["dry_run"]:
            self.stdout.write(dry_run_heading(True))
        for row in rows:
            self.stdout.write(f"  {row['account']:<12} {row['kwh']:>12} kWh  ${row['amount']}")
        self.stdout.write(f"REC payments {options['on']:%Y-%m}: {len(rows)}, ${total:,.2f}")

    def _rec_statement(self, options: dict[str, Any]) -> None:
        account = find_account(options["account"])
        if options["out"] and str(options["out"]).lower().endswith(".pdf"):
            pdf = rec_statement_pdf(account=account, year=options["year"])
            Path(options["out"]).write_bytes(pdf)
            self.stdout.write(f"wrote {options['out']}")
            return
        text = recs.rec_statement(account=account, year=options["year"])
        if options["out"]:
            Path(options["out"]).write_text(text + "\n", encoding="utf-8")
            self.stdout.write(f"wrote {options['out']}")
        else:
            self.stdout.write(text)
