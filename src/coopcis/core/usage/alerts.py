"""High-usage alerts: is a day's use over the member's own threshold?

A member with an interval meter sets a daily threshold in kWh, in dollars, or both
(issue 12). A day is over when its energy is strictly more than the kWh threshold, or
its estimated cost strictly more than the dollar one.

The cost of one day is an estimate, said so wherever it is shown: the day's kWh times
the average price per kWh of the member's latest bill (its total over its kWh, fixed
charges, riders and taxes included, so it is the price the member actually paid per
kWh), rounded half up to the cent once, on the product. Without a bill with use there
is no price, and a dollar threshold cannot be checked (``priced`` is False).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from coopcis.core.money import Money, round_half_up
from coopcis.core.units import wh_to_kwh

KWH = "kwh"
AMOUNT = "amount"


@dataclass(frozen=True, slots=True)
class Threshold:
    """The member's daily limits; ``None`` where not set."""

    daily_kwh: Decimal | None = None
    daily_amount: Money | None = None

    @property
    def is_set(self) -> bool:
        return self.daily_kwh is not None or self.daily_amount is not None


@dataclass(frozen=True, slots=True)
class DayCheck:
    """One day against the threshold: which limits it passed (``kwh``, ``amount``)."""

    energy_kwh: Decimal
    estimated_amount: Money | None
    over: tuple[str, ...]
    priced: bool

    @property
    def is_over(self) -> bool:
        return bool(self.over)


def average_price_per_kwh(*, bill_total: Money, bill_energy_wh: int | None) -> Decimal | None:
    """The latest bill's price per kWh (exact quotient; rounded only on a day's cost)."""
    if not bill_energy_wh or bill_energy_wh <= 0:
        return None
    return bill_total.amount / wh_to_kwh(bill_energy_wh)


def check_day(*, energy_wh: int, threshold: Threshold, price_per_kwh: Decimal | None) -> DayCheck:
    """Compare one day's energy (and estimated cost) with the threshold."""
    energy_kwh = wh_to_kwh(energy_wh)
    estimated = None if price_per_kwh is None else Money(round_half_up(energy_kwh * price_per_kwh))
    over = []
    if threshold.daily_kwh is not None and energy_kwh > threshold.daily_kwh:
        over.append(KWH)
    if (
        threshold.daily_amount is not None
        and estimated is not None
        and estimated.amount > threshold.daily_amount.amount
    ):
        over.append(AMOUNT)
    return DayCheck(energy_kwh, estimated, tuple(over), estimated is not None)
