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
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from coopcis.core.capital_credits.allocation import split_cents
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


def plan_general_retirement(
    approved: Decimal,
    credits: Sequence[OpenCredit],
    *,
    method: str,
    fifo_share: Decimal = Decimal("0.5"),
) -> list[Retirement]:
    """What each patron gets for each year; adds up to the approval (or all that is open)."""
    parts = plan_in_cents(
        int(approved.scaleb(2)),
        [c.year for c in credits],
        [(c.year, c.patron, c.pool) for c in credits],
        [int(c.amount.scaleb(2)) for c in credits],
        method=method,
        fifo_share=fifo_share,
    )
    merged: dict[tuple[int, str, str], int] = defaultdict(int)
    for credit, part in zip(credits, parts, strict=True):
        if part:
            merged[(credit.year, credit.patron, credit.pool)] += part
    return [
        Retirement(year, patron, pool, Decimal(cents).scaleb(-2))
        for (year, patron, pool), cents in sorted(merged.items())
    ]


def plan_in_cents(
    approved: int,
    years: Sequence[int],
    keys: Sequence[Hashable],
    cents: Sequence[int],
    *,
    method: str,
    fifo_share: Decimal = Decimal("0.5"),
) -> list[int]:
    """:func:`plan_general_retirement` in whole cents over parallel sequences (each open
    credit's year, key and open cents), for the retirements of several hundred thousand
    credits: the cents retired of each credit, in the same order. Ties in the
    largest-remainder splits go by ``str(key)`` (``split_cents``)."""
    if method not in METHODS:
        raise RuleViolation(f"method is one of {', '.join(METHODS)}", field="method")
    if approved <= 0:
        raise RuleViolation("the board approves a positive amount", field="amount")
    amount = min(approved, sum(cents))
    everyone = range(len(cents))
    if method == "fifo":
        return _fifo(amount, years, keys, cents, everyone)
    if method == "percentage":
        return _split(amount, keys, cents, everyone)
    first = int(round_half_up(Decimal(amount).scaleb(-2) * fifo_share).scaleb(2))
    retired = _fifo(first, years, keys, cents, everyone)
    rest = [c - r for c, r in zip(cents, retired, strict=True)]
    more = _split(amount - first, keys, rest, [i for i in everyone if rest[i] > 0])
    return [a + b for a, b in zip(retired, more, strict=True)]


def _split(
    amount: int, keys: Sequence[Hashable], cents: Sequence[int], among: Sequence[int]
) -> list[int]:
    """``amount`` over the credits ``among`` (indexes) by their cents; zero elsewhere."""
    result = [0] * len(cents)
    if amount <= 0 or not among:
        return result
    parts = split_cents(amount, [cents[i] for i in among], [keys[i] for i in among])
    for index, part in zip(among, parts, strict=True):
        result[index] = part
    return result


def _fifo(
    amount: int,
    years: Sequence[int],
    keys: Sequence[Hashable],
    cents: Sequence[int],
    among: Sequence[int],
) -> list[int]:
    """The oldest year first, each in full until ``amount`` runs out, the last in part."""
    by_year: dict[int, list[int]] = defaultdict(list)
    for index in among:
        by_year[years[index]].append(index)
    result = [0] * len(cents)
    left = amount
    for year in sorted(by_year):
        if left <= 0:
            break
        indexes = by_year[year]
        portion = min(left, sum(cents[i] for i in indexes))
        parts = _split(portion, keys, cents, indexes)
        for index in indexes:
            result[index] = parts[index]
        left -= portion
    return result


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
