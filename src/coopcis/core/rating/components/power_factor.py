"""Power-factor adjustment of measured demand.

Rate 19, POWER FACTOR ADJUSTMENT (seed 003): "Demand charges will be adjusted to
correct for average power factors lower than 95%. Such adjustments will be made by
increasing the measured demand proportionally to the amount by which the average
power factor is less than 95%."

Two readings are common; the tariff picks one:

* ``ratio`` (default): adjusted kW = kW x 0.95 / PF when PF < 0.95.
* ``percent_per_percent``: demand rises 1% for each 1% (0.01) PF is below 0.95:
  adjusted kW = kW x (1 + (0.95 - PF)).

At or above the threshold the demand is unchanged. Nothing is rounded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from coopcis.core.rating import _fields as f
from coopcis.core.rating.errors import TariffError

METHODS = ("ratio", "percent_per_percent")

PF_SOURCE = "Rate 19, POWER FACTOR ADJUSTMENT (seed 003)"


@dataclass(frozen=True, slots=True)
class PowerFactorRule:
    """Raise demand when the period's average power factor is below ``threshold``."""

    threshold: Decimal = Decimal("0.95")
    method: str = "ratio"
    source: str = PF_SOURCE

    def __post_init__(self) -> None:
        if not Decimal(0) < self.threshold <= 1:
            raise TariffError("must be in (0, 1]", field="power_factor.threshold")
        if self.method not in METHODS:
            raise TariffError(f"must be one of {', '.join(METHODS)}", field="power_factor.method")

    def adjust(self, demand_kw: Decimal, power_factor: Decimal) -> Decimal:
        """Measured kW adjusted for ``power_factor`` (a fraction in (0, 1])."""
        if power_factor >= self.threshold:
            return demand_kw
        if self.method == "ratio":
            return demand_kw * self.threshold / power_factor
        return demand_kw * (1 + (self.threshold - power_factor))


def parse_power_factor_rule(data: Mapping[str, Any]) -> PowerFactorRule:
    where = "power_factor."
    f.only(data, ("threshold", "method", "source"), where)
    return PowerFactorRule(
        threshold=f.number(data, "threshold", where, default=Decimal("0.95")),
        method=f.choice(data, "method", where, METHODS, "ratio"),
        source=f.text(data, "source", where, default=PF_SOURCE),
    )
