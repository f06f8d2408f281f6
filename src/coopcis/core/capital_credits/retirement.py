"""Retiring capital credits: general retirements and estates (bylaws art. VIII).

**General retirement.** The board approves an amount; it is spread over the open credits
by the profile's method:

- ``fifo``: the oldest year first, each year retired in full until the approval runs out,
  the last year reached retired in part (pro rata over its patrons);
- ``percentage``: the same share of every open year;
- ``hybrid``: a stated share of the approval FIFO, the rest as a percentage.

Every split is to the cent by the largest-remainder method (``allocation.py``), so what is
retired adds up to the approval exactly, or to everything open when that is less. A patron
whose retirement comes to less than the profile's smallest check is either carried forward
(nothing retired for them now) or paid as a bill credit when they are an active member.

**Estates.** A deceased patron's credits may be retired early at their present value:
each year's credit discounted at the profile's rate for the years until the general
retirement would reach that year (the year plus the co-op's rotation, counted from the
valuation year; none for a year already due), each year's value rounded half up to the
cent. At 5% a year and a 25-year rotation, valued in 2025, $120 (2005), $200 (2015) and
$80 (2023) retire for $94.02 + $96.20 + $26.05 = $216.27.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from coopcis.core.capital_credits.allocation import split_by_largest_remainder
from coopcis.core.errors import RuleViolation
from coopcis.core.money import round_half_up

METHODS = ("fifo", "percentage", "hybrid")


@dataclass(frozen=True, order=True)
class OpenCredit:
    """What remains of one patron's allocation for one year (and pool)."""

    year: int
    patron: str
    amount: Decimal
    pool: str = "operating"


@dataclass(frozen=True)
class Retirement:
    year: int
    patron: str
    pool: str
    amount: Decimal


def _split(amount: Decimal, credits: Sequence[OpenCredit]) -> list[Retirement]:
    keyed = {(c.year, c.patron, c.pool): c.amount for c in credits}
    shares = split_by_largest_remainder(amount, keyed)
    return [Retirement(y, p, pool, value) for (y, p, pool), value in shares.items() if value > 0]


def _fifo(amount: Decimal, credits: Sequence[OpenCredit]) -> list[Retirement]:
    by_year: dict[int, list[OpenCredit]] = defaultdict(list)
    for credit in credits:
        by_year[credit.year].append(credit)
    retired: list[Retirement] = []
    left = amount
    for year in sorted(by_year):
        if left <= 0:
            break
        year_total = sum((c.amount for c in by_year[year]), Decimal(0))
        portion = min(left, year_total)
        retired += _split(portion, by_year[year])
        left -= portion
    return retired


def plan_general_retirement(
    approved: Decimal,
    credits: Sequence[OpenCredit],
    *,
    method: str,
    fifo_share: Decimal = Decimal("0.5"),
) -> list[Retirement]:
    """What each patron gets for each year; adds up to the approval (or all that is open)."""
    if method not in METHODS:
        raise RuleViolation(f"method is one of {', '.join(METHODS)}", field="method")
    if approved <= 0:
        raise RuleViolation("the board approves a positive amount", field="amount")
    open_total = sum((c.amount for c in credits), Decimal(0))
    amount = min(approved, open_total)
    if method == "fifo":
        return _fifo(amount, credits)
    if method == "percentage":
        return _split(amount, credits)
    first = round_half_up(amount * fifo_share)
    fifo = _fifo(first, credits)
    retired_now: dict[tuple[int, str, str], Decimal] = defaultdict(Decimal)
    for row in fifo:
        retired_now[(row.year, row.patron, row.pool)] += row.amount
    rest = [
        OpenCredit(c.year, c.patron, c.amount - retired_now[(c.year, c.patron, c.pool)], c.pool)
        for c in credits
        if c.amount - retired_now[(c.year, c.patron, c.pool)] > 0
    ]
    return _merge(fifo + _split(amount - first, rest))


def _merge(rows: Sequence[Retirement]) -> list[Retirement]:
    merged: dict[tuple[int, str, str], Decimal] = defaultdict(Decimal)
    for row in rows:
        merged[(row.year, row.patron, row.pool)] += row.amount
    return [Retirement(y, p, pool, value) for (y, p, pool), value in sorted(merged.items())]


@dataclass(frozen=True)
class Payout:
    patron: str
    amount: Decimal
    how: str  # "check", "bill_credit" or "carried_forward"


def payouts(
    retirements: Sequence[Retirement],
    *,
    active_members: set[str],
    smallest_check: Decimal,
    small_active: str = "bill_credit",
    active_by: str = "bill_credit",
) -> list[Payout]:
    """How each patron is paid: active members by bill credit (or check, per profile),
    former members by check; amounts under the smallest check are carried forward, or for
    active members paid as a bill credit where the profile says so."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in retirements:
        totals[row.patron] += row.amount
    result = []
    for patron, amount in sorted(totals.items()):
        active = patron in active_members
        if amount < smallest_check and not (active and small_active == "bill_credit"):
            how = "carried_forward"
        elif active:
            how = active_by if amount >= smallest_check else "bill_credit"
        else:
            how = "check"
        result.append(Payout(patron, amount, how))
    return result


@dataclass(frozen=True)
class EstateValue:
    year: int
    credit: Decimal
    years_until_due: int
    value: Decimal


def estate_present_value(
    credits: Mapping[int, Decimal],
    *,
    valued_in: int,
    rotation_years: int,
    discount_rate: Decimal,
) -> list[EstateValue]:
    """Each year's credit at its present value (module docstring)."""
    if discount_rate < 0 or rotation_years < 0:
        raise RuleViolation("a discount rate and rotation cannot be negative", field="profile")
    rows = []
    for year, credit in sorted(credits.items()):
        wait = max(0, year + rotation_years - valued_in)
        value = round_half_up(credit / (1 + discount_rate) ** wait)
        rows.append(EstateValue(year, credit, wait, value))
    return rows
