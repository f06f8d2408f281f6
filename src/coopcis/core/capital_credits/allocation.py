"""Capital credits: margins allocated over patronage, to the cent (bylaws art. VIII).

The co-op operates at cost; what it earns above cost in a fiscal year (January to
December) is capital furnished by its patrons, credited to each in proportion to their
patronage: what they paid for electric energy that year (or the kWh they bought, where the
profile says so). Each patron's exact share is ``margins x patronage / total patronage``;
shares are rounded to the cent by the **largest-remainder method**, so the pool is
allocated exactly: every share is first rounded down to the cent, and the cents left over
go one each to the shares with the largest remainders (ties: the larger patronage first,
then the patron's key in order), so no cent is created or lost.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from coopcis.core.errors import RuleViolation
from coopcis.core.money import CENT

K = TypeVar("K", bound=Hashable)


def split_by_largest_remainder(total: Decimal, weights: Mapping[K, Decimal]) -> dict[K, Decimal]:
    """``total`` (whole cents) split in proportion to ``weights`` (none negative), each part
    whole cents, the parts adding up to ``total`` exactly (module docstring)."""
    if total != total.quantize(CENT):
        raise RuleViolation("the amount to split is a whole number of cents", field="total")
    if any(weight < 0 for weight in weights.values()):
        raise RuleViolation("patronage cannot be negative", field="patronage")
    scale = _scale(weights.values())
    scaled = {key: int(weight.scaleb(scale)) for key, weight in weights.items()}
    whole = sum(scaled.values())
    if whole == 0:
        if total == 0:
            return dict.fromkeys(weights, Decimal("0.00"))
        raise RuleViolation("there is no patronage to allocate over", field="patronage")
    cents = int(total / CENT)
    keys = list(weights)
    parts = split_cents(cents, [scaled[key] for key in keys], keys)
    return {key: Decimal(part).scaleb(-2) for key, part in zip(keys, parts, strict=True)}


def split_cents(cents: int, weights: Sequence[int], keys: Sequence[Hashable]) -> list[int]:
    """The largest-remainder split in whole numbers: ``cents`` over ``weights`` (whole
    numbers, none negative, not all zero), one part per weight, adding up to ``cents``;
    the cents left over go to the largest remainders, ties to the larger weight, then to
    the key first in order of its text (``str(key)``). What :func:`split_by_largest_remainder`
    and the retirements use; whole numbers throughout, so exact and fast."""
    whole = sum(weights)
    # each share is cents x weight / whole: its floor the integer quotient, its remainder
    # (compared over the same whole) the modulo
    floors, remainders = [], []
    for weight in weights:
        floor, remainder = divmod(cents * weight, whole)
        floors.append(floor)
        remainders.append(remainder)
    left = cents - sum(floors)
    if left:
        order = sorted(
            zip(
                [-r for r in remainders],
                [-w for w in weights],
                [str(key) for key in keys],
                range(len(floors)),
                strict=True,
            )
        )
        for *_, index in order[:left]:
            floors[index] += 1
    return floors


def _scale(weights: Iterable[Decimal]) -> int:
    """The power of ten that makes every weight a whole number."""
    places = 0
    for weight in weights:
        exponent = weight.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            places = -exponent
    return places


@dataclass(frozen=True)
class Allocation:
    """One patron's share of a year's pool."""

    patron: str
    patronage: Decimal
    amount: Decimal


def allocate_margins(margins: Decimal, patronage: Mapping[str, Decimal]) -> list[Allocation]:
    """Each patron's capital credit for the year, largest first, adding up to ``margins``
    to the cent. Patrons with no patronage get nothing and are left out."""
    if margins < 0:
        raise RuleViolation("margins to allocate cannot be negative", field="margins")
    paying = {patron: value for patron, value in patronage.items() if value > 0}
    shares = split_by_largest_remainder(margins, paying)
    return sorted(
        (Allocation(patron, paying[patron], amount) for patron, amount in shares.items()),
        key=lambda row: (-row.amount, row.patron),
    )
