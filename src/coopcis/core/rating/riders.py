"""Rider factors for a billing month, passed in as data (never read from a clock).

The fuel and purchased power cost adjustment (PCA, 17.9.550 NMAC) and the debt
cost adjustment (DCA, 17.9.540 NMAC) are $/kWh factors the co-op sets each
billing month; taxes depend on the service location (gross receipts rate of the
municipality or county). Seeds: Rate 19 riders (003); OCEC "All rates are subject
to Fuel and Debt Service Adjustments" (001, SUMMARY OF RATES).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

from coopcis.core.money import to_decimal

PCA = "pca"
DCA = "dca"


@dataclass(frozen=True, kw_only=True, slots=True)
class TaxRate:
    """A tax on the service at a location, as a fraction (0.075 = 7.5%)."""

    name: str
    rate: Decimal
    source: str = "Rate 19 TAX ADJUSTMENT (seed 003): Gross Receipts and Compensating Tax Act"

    def __post_init__(self) -> None:
        rate = to_decimal(self.rate)
        if not Decimal(0) <= rate < 1:
            raise ValueError(f"tax {self.name}: rate must be a fraction in [0, 1), got {rate}")
        object.__setattr__(self, "rate", rate)


@dataclass(frozen=True, kw_only=True, slots=True)
class Riders:
    """Per-kWh factors keyed ``"pca"``/``"dca"`` (may be negative) and location taxes."""

    factors_per_kwh: Mapping[str, Decimal] = field(default_factory=dict)
    taxes: tuple[TaxRate, ...] = ()
    source: str = ""

    def __post_init__(self) -> None:
        factors = {str(key): to_decimal(value) for key, value in self.factors_per_kwh.items()}
        object.__setattr__(self, "factors_per_kwh", MappingProxyType(factors))
        object.__setattr__(self, "taxes", tuple(self.taxes))
