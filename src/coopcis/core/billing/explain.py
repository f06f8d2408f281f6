"""A bill in plain words: what each line is, and why this bill differs from another.

The member portal explains every line of a bill from the tariff clause it cites (the
rating engine's ``source``), and answers "why is my bill higher?" against last month's
bill and the same month last year with facts that need no weather: the days in the
period, the kWh used, the tariffs' rate changes and the month's cost adjustments
(PCA, 17.9.550 NMAC; DCA, 17.9.540 NMAC), each as dollars.

The comparison splits the change of the total into causes that add up to it exactly:

- ``DAYS``: the kWh the longer (or shorter) period would have used at the comparison
  bill's daily average, priced at its average price of a kWh (energy and cost
  adjustment lines together).
- ``USAGE``: the rest of the change in kWh-priced lines at the comparison bill's rates
  (using more or less each day; a block or time-of-use mix that moved).
- ``DEMAND``: kW-priced lines, their change in kW at the comparison bill's rates.
- ``RATES``: the tariff's own rates (customer charge, energy, demand) that changed,
  applied to this bill's quantities.
- ``RIDERS``: the cost adjustment factors and percentage fees that changed, applied to
  this bill's quantities.
- ``TAXES``: the change in taxes (they follow the other charges).
- ``OTHER``: lines of one bill only that fit none of these (a minimum bill adjustment,
  a light added), and the cents each line's own rounding leaves over.

Rounding: each cause is computed unrounded and rounded to the cent half up; the cents
that the rounding of the causes and of the bills' own lines leave are put in ``OTHER``,
so the causes always add up to the difference of the two totals.

Pure: no Django, no clock; the caller loads the two bills.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from coopcis.core.money import Money, round_half_up, to_decimal

ZERO = Decimal(0)
#: Line codes of the month's cost adjustment factors (rating/components/cost_adjustment).
RIDER_CODES = frozenset({"pca", "dca", "rec"})
#: "(seed 001)": where the catalog found the clause, which means nothing to a member.
_SEED_REFERENCE = re.compile(r"\s*\(seed \d+\)")


class LineKind(enum.StrEnum):
    """What a line charges for, as a member would say it."""

    FIXED = "FIXED"  # customer charge: the same each period, whatever is used
    ENERGY = "ENERGY"  # kWh at a rate (all kWh, a block, on-peak or off-peak)
    DEMAND = "DEMAND"  # kW at a rate
    RIDER = "RIDER"  # cost adjustment factor per kWh (PCA, DCA)
    FEE = "FEE"  # a percentage of the charges (renewable energy and conservation fee)
    TAX = "TAX"  # a percentage of the charges set by the location's tax authority
    LIGHTING = "LIGHTING"  # a fixture at a monthly price
    MINIMUM = "MINIMUM"  # what brings a small bill up to the tariff's minimum
    OTHER = "OTHER"


@dataclass(frozen=True, slots=True)
class LineFacts:
    """One line as the bill stores it (``BillLineItem``)."""

    code: str
    description: str
    quantity: Decimal
    unit: str
    rate: Decimal
    amount: Decimal
    source: str

    def __post_init__(self) -> None:
        for name in ("quantity", "rate", "amount"):
            object.__setattr__(self, name, to_decimal(getattr(self, name)))


@dataclass(frozen=True, slots=True)
class BillFacts:
    """What a comparison needs of a bill: its period, kWh and lines."""

    period: str
    period_start: date
    period_end: date
    energy_kwh: Decimal | None
    lines: tuple[LineFacts, ...]

    @property
    def days(self) -> int:
        """Days in the period ``[period_start, period_end)``."""
        return (self.period_end - self.period_start).days

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    @property
    def kwh_per_day(self) -> Decimal | None:
        """Average kWh a day, unrounded (None when unmetered)."""
        if self.energy_kwh is None or self.days <= 0:
            return None
        return self.energy_kwh / self.days


def line_kind(line: LineFacts) -> LineKind:
    """The kind of charge a line is, from its code and unit."""
    code = line.code.lower()
    if code.startswith("tax"):
        return LineKind.TAX
    if code in RIDER_CODES:
        return LineKind.RIDER
    if code.startswith("minimum"):
        return LineKind.MINIMUM
    if code.startswith("lighting") or line.unit == "fixture":
        return LineKind.LIGHTING
    if line.unit == "period":
        return LineKind.FIXED
    if line.unit == "kWh":
        return LineKind.ENERGY
    if line.unit == "kW":
        return LineKind.DEMAND
    if line.unit == "$":
        return LineKind.FEE
    return LineKind.OTHER


@dataclass(frozen=True, slots=True)
class LineExplanation:
    """A line and what a member needs to read it: its kind, the clause it comes from
    (without the catalog's own file references), and for a percentage (tax, fee) the
    percent and the charges it is taken on."""

    kind: LineKind
    description: str
    quantity: Decimal
    unit: str
    rate: Decimal
    amount: Decimal
    clause: str
    percent: Decimal | None
    is_credit: bool


def member_clause(source: str) -> str:
    """The clause without the catalog's "(seed NNN)" references."""
    return " ".join(_SEED_REFERENCE.sub("", source).split())


def explain_line(line: LineFacts) -> LineExplanation:
    """``line`` in a member's terms (the page words it by ``kind``)."""
    kind = line_kind(line)
    percent = line.rate * 100 if kind in (LineKind.TAX, LineKind.FEE) else None
    return LineExplanation(
        kind=kind,
        description=line.description,
        quantity=line.quantity,
        unit=line.unit,
        rate=line.rate,
        amount=line.amount,
        clause=member_clause(line.source),
        percent=percent.normalize() if percent is not None else None,
        is_credit=line.amount < 0,
    )


class Cause(enum.StrEnum):
    """Why a bill differs from another (see the module docstring)."""

    DAYS = "DAYS"
    USAGE = "USAGE"
    DEMAND = "DEMAND"
    RATES = "RATES"
    RIDERS = "RIDERS"
    TAXES = "TAXES"
    OTHER = "OTHER"


@dataclass(frozen=True, slots=True)
class Difference:
    cause: Cause
    amount: Money


@dataclass(frozen=True, slots=True)
class RateChange:
    """A rate that is not the same on both bills (tariff rate or cost adjustment factor)."""

    code: str
    description: str
    unit: str
    earlier_rate: Decimal
    rate: Decimal


@dataclass(frozen=True, slots=True)
class Comparison:
    """This bill against an earlier one: the facts and the change of the total by cause."""

    bill: BillFacts
    earlier: BillFacts
    change: Money
    differences: tuple[Difference, ...]
    rate_changes: tuple[RateChange, ...]

    @property
    def days_change(self) -> int:
        return self.bill.days - self.earlier.days

    @property
    def energy_change_kwh(self) -> Decimal | None:
        if self.bill.energy_kwh is None or self.earlier.energy_kwh is None:
            return None
        return self.bill.energy_kwh - self.earlier.energy_kwh

    def amount_for(self, cause: Cause) -> Money:
        """The dollars of ``cause`` (zero when it played no part)."""
        for difference in self.differences:
            if difference.cause is cause:
                return difference.amount
        return Money.zero()


@dataclass(frozen=True, slots=True)
class _Priced:
    """A line code summed over a bill: quantity, unrounded quantity x rate, and amount
    (a rate change within the period splits a code into two lines)."""

    kind: LineKind
    description: str
    unit: str
    quantity: Decimal
    priced: Decimal
    amount: Decimal

    @property
    def rate(self) -> Decimal:
        return self.priced / self.quantity if self.quantity else ZERO


def _by_code(lines: Iterable[LineFacts]) -> dict[str, _Priced]:
    summed: dict[str, _Priced] = {}
    for line in lines:
        known = summed.get(line.code)
        priced = line.quantity * line.rate
        if known is None:
            summed[line.code] = _Priced(
                line_kind(line), line.description, line.unit, line.quantity, priced, line.amount
            )
        else:
            summed[line.code] = _Priced(
                known.kind,
                known.description,
                known.unit,
                known.quantity + line.quantity,
                known.priced + priced,
                known.amount + line.amount,
            )
    return summed


_USAGE_KINDS = (LineKind.ENERGY, LineKind.RIDER)
_COMPARABLE = (LineKind.FIXED, LineKind.ENERGY, LineKind.DEMAND, LineKind.RIDER)


def compare_bills(*, bill: BillFacts, earlier: BillFacts) -> Comparison:
    """Why ``bill`` differs from ``earlier`` in dollars, by cause (module docstring)."""
    now, then = _by_code(bill.lines), _by_code(earlier.lines)
    raw: dict[Cause, Decimal] = dict.fromkeys(Cause, ZERO)
    rate_changes: list[RateChange] = []
    usage_dollars = ZERO
    for code in sorted(set(now) | set(then)):
        current, previous = now.get(code), then.get(code)
        kind = (current or previous).kind  # type: ignore[union-attr]
        if kind in (LineKind.TAX, LineKind.FEE):
            # a percentage of the other charges: it follows them, as a whole
            cause = Cause.TAXES if kind is LineKind.TAX else Cause.RIDERS
            raw[cause] += _amount(current) - _amount(previous)
            continue
        if kind not in _COMPARABLE or current is None or previous is None:
            if kind is LineKind.RIDER:
                raw[Cause.RIDERS] += _amount(current) - _amount(previous)
            elif kind is LineKind.ENERGY:
                usage_dollars += _amount(current) - _amount(previous)
            else:
                raw[Cause.OTHER] += _amount(current) - _amount(previous)
            continue
        quantity_effect = (current.quantity - previous.quantity) * previous.rate
        rate_effect = current.quantity * (current.rate - previous.rate)
        if current.rate != previous.rate:
            rate_changes.append(
                RateChange(code, current.description, current.unit, previous.rate, current.rate)
            )
        if kind in _USAGE_KINDS:
            usage_dollars += quantity_effect
        elif kind is LineKind.DEMAND:
            raw[Cause.DEMAND] += quantity_effect
        else:
            raw[Cause.OTHER] += quantity_effect  # a prorated customer charge, a fee's base
        raw[Cause.RIDERS if kind is LineKind.RIDER else Cause.RATES] += rate_effect
    days_dollars = _days_share(bill, earlier, then)
    raw[Cause.DAYS] += days_dollars
    raw[Cause.USAGE] += usage_dollars - days_dollars
    return _rounded(bill, earlier, raw, tuple(rate_changes))


def _amount(priced: _Priced | None) -> Decimal:
    return priced.amount if priced is not None else ZERO


def _days_share(bill: BillFacts, earlier: BillFacts, then: dict[str, _Priced]) -> Decimal:
    """The kWh the change in days accounts for at ``earlier``'s daily average, priced at
    ``earlier``'s average price of a kWh (energy and cost adjustment lines)."""
    per_day = earlier.kwh_per_day
    if per_day is None or not earlier.energy_kwh or bill.days == earlier.days:
        return ZERO
    energy_dollars = sum(
        (priced.priced for priced in then.values() if priced.kind in _USAGE_KINDS), ZERO
    )
    price_per_kwh = energy_dollars / earlier.energy_kwh
    return per_day * (bill.days - earlier.days) * price_per_kwh


def _rounded(
    bill: BillFacts,
    earlier: BillFacts,
    raw: dict[Cause, Decimal],
    rate_changes: tuple[RateChange, ...],
) -> Comparison:
    change = bill.total - earlier.total
    rounded = {cause: round_half_up(value) for cause, value in raw.items()}
    rounded[Cause.OTHER] += change - sum(rounded.values(), ZERO)
    differences = tuple(
        Difference(cause, Money(amount)) for cause, amount in rounded.items() if amount != 0
    )
    return Comparison(
        bill=bill,
        earlier=earlier,
        change=Money(change),
        differences=differences,
        rate_changes=rate_changes,
    )
