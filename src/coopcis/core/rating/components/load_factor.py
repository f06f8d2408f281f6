"""Load-factor adjustment of billed energy.

Rate 19, LOAD FACTOR ADJUSTMENT (seed 003): "Should the load factor in the billing
period be less than 80%, the metered kWh of energy will be increased by an amount,
based on the kW of measured demand, to maintain an 80% load factor."

Billed kWh = max(metered kWh, 0.80 x measured kW x hours in the period), where
measured kW is the demand as metered: before power-factor, loss and minimum
adjustments ("the kW of measured demand").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from coopcis.core.rating import _fields as f
from coopcis.core.rating.errors import TariffError

LF_SOURCE = "Rate 19, LOAD FACTOR ADJUSTMENT (seed 003)"


@dataclass(frozen=True, slots=True)
class LoadFactorRule:
    """Raise billed kWh to what ``minimum`` load factor on measured demand would use."""

    minimum: Decimal = Decimal("0.80")
    source: str = LF_SOURCE

    def __post_init__(self) -> None:
        if not Decimal(0) < self.minimum <= 1:
            raise TariffError("must be in (0, 1]", field="load_factor.minimum")

    def floor_kwh(self, *, measured_kw: Decimal, hours: Decimal) -> Decimal:
        """The least kWh billed: ``minimum`` x measured kW x hours."""
        return self.minimum * measured_kw * hours

    def billed_kwh(self, *, metered_kwh: Decimal, measured_kw: Decimal, hours: Decimal) -> Decimal:
        """Metered kWh, raised to the floor when the load factor is below the minimum."""
        return max(metered_kwh, self.floor_kwh(measured_kw=measured_kw, hours=hours))


def parse_load_factor_rule(data: Mapping[str, Any]) -> LoadFactorRule:
    where = "load_factor."
    f.only(data, ("minimum", "source"), where)
    return LoadFactorRule(
        minimum=f.number(data, "minimum", where, default=Decimal("0.80")),
        source=f.text(data, "source", where, default=LF_SOURCE),
    )
