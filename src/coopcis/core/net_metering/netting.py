"""A billing period's net energy and the excess credited at the avoided cost (SEC policy 425).

Net = delivered - received over the billing period, per time-of-use period on a TOU
tariff. Each period's positive net is billed on the tariff as usual; a negative net bills
no energy in that period and its size is the excess, credited at the co-op's avoided cost
("filed with the NM PRC annually") to the member's net-metering credit bank. Fixed and
demand charges are not netted (demand is delivered demand).

Rounding: the credit is the excess kWh times the avoided cost, rounded half up to the
cent once per bill (ADR 0001); kWh are never rounded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from coopcis.core.money import Money, round_half_up

ZERO = Decimal(0)
#: The key of a flat (not time-of-use) tariff's one period.
ALL_HOURS = "all"


@dataclass(frozen=True, slots=True)
class NetEnergy:
    """One billing period's netting, per TOU period (``ALL_HOURS`` on a flat tariff)."""

    delivered_kwh: Mapping[str, Decimal]
    received_kwh: Mapping[str, Decimal]

    @property
    def net_kwh_by_period(self) -> dict[str, Decimal]:
        keys = sorted(set(self.delivered_kwh) | set(self.received_kwh))
        return {
            key: self.delivered_kwh.get(key, ZERO) - self.received_kwh.get(key, ZERO)
            for key in keys
        }

    @property
    def net_kwh(self) -> Decimal:
        """Delivered minus received over the whole period (negative: the member sent more)."""
        return sum(self.net_kwh_by_period.values(), ZERO)

    @property
    def billed_kwh_by_period(self) -> dict[str, Decimal]:
        """What the tariff prices: each period's positive net, zero where it is negative."""
        return {key: max(net, ZERO) for key, net in self.net_kwh_by_period.items()}

    @property
    def billed_kwh(self) -> Decimal:
        return sum(self.billed_kwh_by_period.values(), ZERO)

    @property
    def excess_kwh(self) -> Decimal:
        """The energy credited: the sum of the periods' negative nets, as a positive number."""
        return sum((max(-net, ZERO) for net in self.net_kwh_by_period.values()), ZERO)

    @property
    def delivered_total_kwh(self) -> Decimal:
        return sum(self.delivered_kwh.values(), ZERO)

    @property
    def received_total_kwh(self) -> Decimal:
        return sum(self.received_kwh.values(), ZERO)


def net_energy(
    *, delivered_kwh: Mapping[str, Decimal], received_kwh: Mapping[str, Decimal]
) -> NetEnergy:
    """Net a period's channels; the keys are TOU period names, or ``ALL_HOURS``."""
    for name, values in (("delivered", delivered_kwh), ("received", received_kwh)):
        for key, value in values.items():
            if value < 0:
                raise ValueError(f"{name} energy in {key} must not be negative, got {value}")
    return NetEnergy(dict(delivered_kwh), dict(received_kwh))


def excess_credit(*, excess_kwh: Decimal, avoided_cost_per_kwh: Decimal) -> Money:
    """The credit for the excess: kWh x avoided cost, rounded half up to the cent."""
    if excess_kwh < 0 or avoided_cost_per_kwh < 0:
        raise ValueError("excess energy and avoided cost must not be negative")
    return Money(round_half_up(excess_kwh * avoided_cost_per_kwh))


@dataclass(frozen=True, slots=True)
class BankMonth:
    """The credit bank over one month: before, credited, paid out, after."""

    before: Money
    credited: Money
    payout: Money
    after: Money


def bank_month(*, before: Money, credited: Money, payout_above: Money) -> BankMonth:
    """SEC policy 425: "energy credits will be issued each month when the Member's account
    reaches greater than $50.00". In a month the accumulated credit is greater than
    ``payout_above`` it is all paid and the bank restarts at zero; at ``payout_above``
    or less it carries forward."""
    accumulated = before + credited
    if accumulated > payout_above:
        return BankMonth(before, credited, accumulated, Money.zero())
    return BankMonth(before, credited, Money.zero(), accumulated)
