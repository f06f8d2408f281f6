"""``coopcis rate``: list and show catalog tariffs, and quote a bill.

Pure (no Django): ``coopcis rate list``, ``coopcis rate show CODE``,
``coopcis rate quote CODE [--kwh X] [--on-peak-kwh X --off-peak-kwh X] [--kw X]
[--power-factor X] [--hours X] [--fixtures N] [--intervals FILE.csv] [--json]``;
a net-metered bill with ``--received-kwh X`` (``--received-on-peak-kwh X
--received-off-peak-kwh X`` on a TOU tariff) ``[--avoided-cost-per-kwh R]``: without R the
avoided cost in force is read from the database (``coopcis.commands.avoided_cost``, the one
path that starts Django);
``study`` and ``import-urdb`` are dispatched to their own modules. Every number is
parsed as Decimal. Errors are one line on stderr and a non-zero exit, never a
traceback (exit 2 for bad input, including an unknown tariff code).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import importlib
import json
import sys
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any, NoReturn

from coopcis.catalog.tariffs import (
    UnknownTariffError,
    load_tariff,
    load_tariff_versions,
    tariff_codes,
)
from coopcis.core.money import AmountError, Money, MoneyError, parse_decimal, to_decimal
from coopcis.core.net_metering.netting import ALL_HOURS, NetEnergy, excess_credit, net_energy
from coopcis.core.periods import CO_OP_TIME_ZONE, Period, PeriodError
from coopcis.core.rating.determinants import Determinants, hours_in_period
from coopcis.core.rating.engine import RatedBill, rate_bill_prorated
from coopcis.core.rating.errors import MissingDeterminantError, TariffError
from coopcis.core.rating.intervals import (
    INTERVAL_MINUTES,
    Interval,
    IntervalDataError,
    determinants_from_intervals,
)
from coopcis.core.rating.riders import DCA, PCA, Riders, TaxRate
from coopcis.core.rating.tariff import Tariff
from coopcis.core.units import kwh_to_wh

PROG = "coopcis rate"
DISPATCH = {"study": "coopcis.commands.rate_study", "import-urdb": "coopcis.commands.rate_urdb"}
EXIT_USAGE = 2
#: Determinant name -> the quote option that supplies it.
OPTIONS = {
    "energy_kwh": "--kwh",
    "energy_kwh_by_tou.on_peak": "--on-peak-kwh",
    "energy_kwh_by_tou.off_peak": "--off-peak-kwh",
    "demand_kw": "--kw",
    "demand_kw_by_tou.on_peak": "--on-peak-kw",
    "demand_kw_by_tou.off_peak": "--off-peak-kw",
    "power_factor": "--power-factor",
    "fixtures": "--fixtures",
    "riders.pca": "--pca",
    "riders.dca": "--dca",
}
REGISTER_OPTIONS = (
    "kwh",
    "on_peak_kwh",
    "off_peak_kwh",
    "kw",
    "on_peak_kw",
    "off_peak_kw",
    "hours",
)


class UsageError(Exception):
    """Bad command-line input: printed as one line, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}")


def _decimal(text: str) -> Decimal:
    try:
        return to_decimal(text)
    except MoneyError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _rate(text: str) -> Decimal:
    """A factor ($/kWh) or tax rate by the one number parser, as ``billing factors`` reads
    it: a sign allowed (a PCA may be a credit), at most six decimals, no exponent."""
    try:
        return parse_decimal(text, field="rate", places=6, largest=Decimal(1000))
    except AmountError as refused:
        raise argparse.ArgumentTypeError(refused.message) from None


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _parser() -> _Parser:
    parser = _Parser(prog=PROG, description="Tariff catalog and bill quotes.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    commands.add_parser("list", help="list the catalog's tariffs")
    show = commands.add_parser("show", help="show one tariff with its sources")
    show.add_argument("code")
    show.add_argument("--on", type=_day, help="the version in effect on this date")
    quote = commands.add_parser("quote", help="price one billing period")
    quote.add_argument("code")
    for name in ("kwh", "on-peak-kwh", "off-peak-kwh", "kw", "on-peak-kw", "off-peak-kw"):
        quote.add_argument(f"--{name}", type=_decimal)
    quote.add_argument("--power-factor", type=_decimal, help="average power factor, e.g. 0.92")
    quote.add_argument("--hours", type=_decimal, help="hours in the period (load factor)")
    quote.add_argument("--fixtures", type=int)
    quote.add_argument("--contract-kw", type=_decimal)
    quote.add_argument("--loss-factor", type=_decimal, help="e.g. 0.02 for 2%% losses")
    quote.add_argument("--start", type=_day, help="first day of the period")
    quote.add_argument("--end", type=_day, help="day after the period (default start + 30 days)")
    quote.add_argument("--pca", type=_rate, help="fuel and purchased power factor, $/kWh")
    quote.add_argument("--dca", type=_rate, help="debt cost factor, $/kWh")
    quote.add_argument("--tax-rate", type=_rate, help="gross receipts tax, e.g. 0.0675")
    quote.add_argument("--intervals", help="CSV with header start,kwh")
    quote.add_argument("--received-kwh", type=_decimal, help="net metering: energy received")
    quote.add_argument("--received-on-peak-kwh", type=_decimal)
    quote.add_argument("--received-off-peak-kwh", type=_decimal)
    quote.add_argument(
        "--avoided-cost-per-kwh",
        type=_decimal,
        help="$/kWh the excess is credited at (default: the one in force in the database)",
    )
    quote.add_argument("--json", action="store_true", help="print one JSON object")
    return parser


def main(argv: list[str]) -> int:
    """Run ``coopcis rate ...``; returns the exit code."""
    if argv and argv[0] in DISPATCH:
        try:
            module = importlib.import_module(DISPATCH[argv[0]])
        except ModuleNotFoundError as error:
            if error.name != DISPATCH[argv[0]]:
                raise
            return _fail(f"{PROG} {argv[0]}: not available in this installation")
        code: int = module.main(argv[1:])
        return code
    try:
        args = _parser().parse_args(argv)
        return _run(args)
    except SystemExit as exit_:  # --help
        return exit_.code if isinstance(exit_.code, int) else 0
    except UnknownTariffError as error:
        return _fail(f"{PROG}: {error}")
    except MissingDeterminantError as error:
        return _fail(f"{PROG}: {_missing_message(error)}")
    except UsageError as error:
        return _fail(str(error))
    except (IntervalDataError, TariffError, PeriodError, ValueError) as error:
        return _fail(f"{PROG}: {error}")


def _fail(message: str) -> int:
    print(" ".join(message.split("\n")), file=sys.stderr)
    return EXIT_USAGE


def _missing_message(error: MissingDeterminantError) -> str:
    options = [OPTIONS[name] for name in error.missing if name in OPTIONS]
    hint = f" (give {' '.join(dict.fromkeys(options))})" if options else ""
    return f"{error}{hint}"


def _run(args: argparse.Namespace) -> int:
    if args.command == "list":
        print(tariff_list([load_tariff(code) for code in tariff_codes()]))
    elif args.command == "show":
        versions = load_tariff_versions(args.code)
        print(tariff_detail(load_tariff(args.code, on=args.on), versions))
    else:
        bill, net = _quote(args)
        if net is None:
            print(json.dumps(bill_json(bill), indent=2) if args.json else bill_text(bill))
        elif args.json:
            print(json.dumps(bill_json(bill) | {"net_metering": net.as_json()}, indent=2))
        else:
            print(bill_text(bill) + "\n\n" + net.text())
    return 0


def _quote(args: argparse.Namespace) -> tuple[RatedBill, NetQuote | None]:
    versions = load_tariff_versions(args.code)
    if args.intervals:
        determinants = _interval_determinants(args, versions[-1].code)
    else:
        determinants = _register_determinants(args, versions[-1].effective_date)
    net = _net(args, determinants)
    if net is not None:
        billed = net.energy.billed_kwh_by_period
        if ALL_HOURS in billed:
            determinants = dataclasses.replace(determinants, energy_kwh=billed[ALL_HOURS])
        else:
            determinants = dataclasses.replace(
                determinants, energy_kwh=sum(billed.values(), Decimal(0)), energy_kwh_by_tou=billed
            )
    bill = rate_bill_prorated(versions=versions, determinants=determinants, riders=_riders(args))
    return bill, net


# --- net metering (SEC policy 425) ---------------------------------------------------


@dataclasses.dataclass(frozen=True)
class NetQuote:
    """The net-metering part of a quote: the netting, the avoided cost and the credit."""

    energy: NetEnergy
    avoided_cost_per_kwh: Decimal
    credit: Money

    def as_json(self) -> dict[str, str]:
        return {
            "net_kwh": _plain(self.energy.net_kwh),
            "excess_kwh": _plain(self.energy.excess_kwh),
            "credit": str(self.credit),
        }

    def text(self) -> str:
        out = ["Net metering (SEC policy 425):"]
        for period, net in self.energy.net_kwh_by_period.items():
            name = "" if period == ALL_HOURS else f" {period.replace('_', '-')}"
            delivered = self.energy.delivered_kwh.get(period, Decimal(0))
            received = self.energy.received_kwh.get(period, Decimal(0))
            out.append(
                f"  Net energy{name}: {_short(delivered)} kWh delivered - {_short(received)} kWh "
                f"received = {_short(net)} kWh"
            )
        out.append(
            f"  Excess credited to the net-metering bank: {_short(self.energy.excess_kwh)} kWh "
            f"x {_plain(self.avoided_cost_per_kwh)} avoided cost = {self.credit.formatted()} "
            "(not on this bill's total)"
        )
        return "\n".join(out)


def _net(args: argparse.Namespace, determinants: Determinants) -> NetQuote | None:
    pair = _pair(args, "received_on_peak_kwh", "received_off_peak_kwh", "TOU received energy")
    if args.received_kwh is None and not pair:
        if args.avoided_cost_per_kwh is not None:
            raise UsageError(f"{PROG} quote: --avoided-cost-per-kwh needs --received-kwh")
        return None
    if args.intervals:
        raise UsageError(f"{PROG} quote: --intervals gives delivered energy only; give --kwh")
    if pair:
        if not determinants.energy_kwh_by_tou:
            raise UsageError(
                f"{PROG} quote: received energy by TOU period needs --on-peak-kwh and --off-peak-kwh"
            )
        if args.received_kwh is not None:
            raise UsageError(f"{PROG} quote: give --received-kwh or the TOU pair, not both")
        energy = net_energy(delivered_kwh=determinants.energy_kwh_by_tou, received_kwh=pair)
    else:
        if determinants.energy_kwh_by_tou:
            raise UsageError(
                f"{PROG} quote: a TOU quote nets each period: give --received-on-peak-kwh and "
                "--received-off-peak-kwh"
            )
        delivered = determinants.energy_kwh if determinants.energy_kwh is not None else Decimal(0)
        energy = net_energy(
            delivered_kwh={ALL_HOURS: delivered}, received_kwh={ALL_HOURS: args.received_kwh}
        )
    rate = args.avoided_cost_per_kwh
    if rate is None:
        rate = _avoided_cost_in_force(determinants.period.end - timedelta(days=1))
    credit = excess_credit(excess_kwh=energy.excess_kwh, avoided_cost_per_kwh=rate)
    return NetQuote(energy, rate, credit)


def _avoided_cost_in_force(day: date) -> Decimal:
    """The database's avoided cost (starts Django; only when none was given)."""
    try:
        module = importlib.import_module("coopcis.commands.avoided_cost")
        rate: Decimal = module.avoided_cost_on(day)
    except Exception as error:  # no database, no settings, no rate: say what to give
        raise UsageError(
            f"{PROG} quote: give --avoided-cost-per-kwh ({' '.join(str(error).split())})"
        ) from None
    return rate


def _agreement(args: argparse.Namespace) -> dict[str, Any]:
    agreement: dict[str, Any] = {"power_factor": args.power_factor, "contract_kw": args.contract_kw}
    if args.loss_factor is not None:
        agreement["loss_factor"] = args.loss_factor
    return agreement


def _interval_determinants(args: argparse.Namespace, code: str) -> Determinants:
    given = [
        f"--{name.replace('_', '-')}"
        for name in REGISTER_OPTIONS
        if getattr(args, name) is not None
    ]
    if given or args.start or args.end or args.fixtures is not None:
        raise UsageError(
            f"{PROG} quote: --intervals gives the quantities and period; "
            f"drop {' '.join(given) or '--start/--end/--fixtures'}"
        )
    intervals = read_intervals_csv(args.intervals)
    first_day = min(interval.start_at for interval in intervals).astimezone(CO_OP_TIME_ZONE).date()
    try:
        tariff = load_tariff(code, on=first_day)
    except TariffError:
        tariff = load_tariff(code)
    return determinants_from_intervals(intervals=intervals, tariff=tariff, **_agreement(args))


def _pair(args: argparse.Namespace, on: str, off: str, label: str) -> dict[str, Decimal]:
    on_value, off_value = getattr(args, on), getattr(args, off)
    if (on_value is None) != (off_value is None):
        flags = f"--{on.replace('_', '-')} and --{off.replace('_', '-')}"
        raise UsageError(f"{PROG} quote: give both {flags} ({label})")
    return {} if on_value is None else {"on_peak": on_value, "off_peak": off_value}


def _register_determinants(args: argparse.Namespace, default_start: date) -> Determinants:
    start = args.start or default_start
    period = Period(start, args.end or start + timedelta(days=30))
    return Determinants(
        period=period,
        hours=args.hours if args.hours is not None else hours_in_period(period),
        energy_kwh=args.kwh,
        energy_kwh_by_tou=_pair(args, "on_peak_kwh", "off_peak_kwh", "TOU energy"),
        demand_kw=args.kw,
        demand_kw_by_tou=_pair(args, "on_peak_kw", "off_peak_kw", "TOU demand"),
        fixtures=args.fixtures,
        **_agreement(args),
    )


def _riders(args: argparse.Namespace) -> Riders | None:
    if args.pca is None and args.dca is None and args.tax_rate is None:
        return None
    factors = {
        name: value for name, value in ((PCA, args.pca), (DCA, args.dca)) if value is not None
    }
    taxes = (
        () if args.tax_rate is None else (TaxRate(name="Gross receipts tax", rate=args.tax_rate),)
    )
    return Riders(factors_per_kwh=factors, taxes=taxes, source="given on the command line")


# --- interval CSV ---------------------------------------------------------------


def read_intervals_csv(path: str) -> list[Interval]:
    """Intervals from a CSV with header ``start,kwh`` (ISO-8601 starts with a UTC offset).

    The interval length is the smallest step between consecutive starts; gaps,
    duplicates and overlaps are then reported by the interval validation.
    """
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
    except OSError as error:
        raise UsageError(f"{PROG} quote: cannot read {path}: {error.strerror}") from None
    if not rows or [cell.strip().lower() for cell in rows[0]] != ["start", "kwh"]:
        raise UsageError(f"{path} line 1: the header must be start,kwh")
    readings = [
        _csv_row(path, number, row)
        for number, row in enumerate(rows[1:], start=2)
        if any(cell.strip() for cell in row)
    ]
    if len(readings) < 2:
        raise UsageError(f"{path}: at least two intervals are needed to know their length")
    instants = sorted({start_at.timestamp() for start_at, _ in readings})
    steps = [int(later - earlier) // 60 for earlier, later in pairwise(instants)]
    minutes = min(steps) if steps else 0
    if minutes not in INTERVAL_MINUTES:
        raise UsageError(
            f"{path}: intervals {minutes} minutes apart; expected one of {INTERVAL_MINUTES}"
        )
    return [Interval(start_at, minutes, energy_wh) for start_at, energy_wh in readings]


def _csv_row(path: str, number: int, row: list[str]) -> tuple[datetime, int]:
    where = f"{path} line {number}"
    if len(row) != 2:
        raise UsageError(f"{where}: expected 2 fields (start,kwh), got {len(row)}")
    start_text, kwh_text = (cell.strip() for cell in row)
    try:
        start_at = datetime.fromisoformat(start_text)
    except ValueError:
        raise UsageError(f"{where}: start {start_text!r} is not an ISO-8601 time") from None
    if start_at.tzinfo is None:
        raise UsageError(f"{where}: start {start_text!r} needs a UTC offset")
    try:
        return start_at, kwh_to_wh(kwh_text)
    except MoneyError:
        raise UsageError(f"{where}: kwh {kwh_text!r} is not a number") from None


# --- rendering ------------------------------------------------------------------


def _plain(value: Decimal) -> str:
    return format(value, "f")


def bill_json(bill: RatedBill) -> dict[str, Any]:
    """The ``--json`` object: tariff, lines (all numbers as strings), total."""
    lines = [
        {
            "code": line.code,
            "description": line.description,
            "quantity": _plain(line.quantity),
            "unit": line.unit,
            "rate": _plain(line.rate),
            "amount": str(line.amount),
            "source": line.source,
        }
        for line in bill.lines
    ]
    return {"tariff": bill.tariff_code, "lines": lines, "total": str(bill.total)}


def bill_text(bill: RatedBill) -> str:
    """A readable bill: one row per line, the total, then each line's source."""
    out = [f"{bill.tariff_code}  {bill.period.label()}", ""]
    for line in bill.lines:
        quantity = f"{_short(line.quantity)} {line.unit}"
        out.append(
            f"  {line.description:<58} {quantity:>18} x {_plain(line.rate):>10} {line.amount!s:>12}"
        )
    out.append(f"  {'Total':<91} {bill.total.formatted():>12}")
    out.append("")
    out.append("Sources:")
    out.extend(f"  {line.code}: {line.source}" for line in bill.lines)
    return "\n".join(out)


def _short(value: Decimal) -> str:
    """Long repeating quantities shown to 4 places (the bill prices the exact value)."""
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -4:
        return f"{value:,.4f}"
    return f"{value:,f}"


def tariff_list(tariffs: list[Tariff]) -> str:
    """One row per schedule: code, latest effective date, class, name."""
    rows = [f"{'code':<16} {'effective':<10}  {'class':<16} name"]
    rows.extend(
        f"{t.code:<16} {t.effective_date.isoformat():<10}  {t.rate_class:<16} {t.name}"
        for t in tariffs
    )
    return "\n".join(rows)


def tariff_detail(tariff: Tariff, versions: list[Tariff]) -> str:
    """The tariff with its versions, source, interpretations, rules and charges."""
    dates = ", ".join(version.effective_date.isoformat() for version in versions)
    out = [
        f"{tariff.code}: {tariff.name}",
        f"class: {tariff.rate_class}; effective {tariff.effective_date} (versions: {dates})",
        f"source: {tariff.source}",
        f"needs: {', '.join(tariff.required_determinants)}",
    ]
    schedule = tariff.time_of_use
    if schedule is not None:
        for window in schedule.windows:
            start, end = divmod(window.start_minute, 60), divmod(window.end_minute, 60)
            days = ", ".join(sorted(window.day_types))
            out.append(
                f"time of use: {window.period} {start[0]:02}:{start[1]:02}-{end[0]:02}:{end[1]:02} "
                f"local ({schedule.time_zone.key}; {days}); otherwise {schedule.default_period}"
            )
    for rule in (tariff.billing_demand, tariff.power_factor, tariff.load_factor):
        if rule is not None:
            out.append(f"rule: {_fields_text(rule)}")
            out.append(f"    source: {rule.source}")
    out.append("charges:")
    for component in tariff.components:
        out.append(
            f"  - {component.kind} {component.code}: {component.description}; "
            f"{_fields_text(component)}"
        )
        out.append(f"    source: {component.source}")
    if tariff.interpretations:
        out.append("interpretations:")
        out.extend(f"  - {text}" for text in tariff.interpretations)
    return "\n".join(out)


def _fields_text(value: Any) -> str:
    skip = {"code", "description", "source"}
    parts = []
    for field in dataclasses.fields(value):
        if field.name not in skip:
            parts.append(f"{field.name}={_value_text(getattr(value, field.name))}")
    return ", ".join(parts)


def _value_text(value: Any) -> str:
    if isinstance(value, Decimal):
        return _plain(value)
    if isinstance(value, tuple):
        return "[" + "; ".join(_value_text(item) for item in value) + "]"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _fields_text(value)
    return str(value)
