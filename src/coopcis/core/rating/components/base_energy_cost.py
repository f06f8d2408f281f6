"""Base energy cost: the wholesale power cost embedded in the energy rates.

OCEC SUMMARY OF RATES (seed 001): "Base Energy Rate for All Classes ~ $0.082125"
with "All rates are subject to Fuel and Debt Service Adjustments". The seed does not
say whether that cost is inside the class energy rates or added on top. The common
reading (and the catalog default) is that it is *included*: it is the base the
fuel/purchased power adjustment is measured from, so no line is billed. Set
``included_in_energy_rates = false`` to bill it as its own per-kWh line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from coopcis.core.rating import _fields as f
from coopcis.core.rating.components.base import LineDraft, RatingContext, Stage, header


@dataclass(frozen=True, slots=True)
class BaseEnergyCost:
    """Billed kWh x ``rate_per_kwh`` when not included in the energy rates, else nothing."""

    kind: ClassVar[str] = "base_energy_cost"
    stage: ClassVar[Stage] = Stage.CHARGE
    code: str
    description: str
    source: str
    rate_per_kwh: Decimal
    included_in_energy_rates: bool = True

    def required_determinants(self) -> tuple[str, ...]:
        return () if self.included_in_energy_rates else ("energy_kwh",)

    def drafts(self, context: RatingContext) -> list[LineDraft]:
        if self.included_in_energy_rates:
            return []
        kwh = context.quantities.energy_kwh
        assert kwh is not None  # checked by required_determinants
        return [LineDraft(self.code, self.description, kwh, "kWh", self.rate_per_kwh, self.source)]


def parse(data: Mapping[str, Any], where: str, source: str) -> BaseEnergyCost:
    head = header(
        data,
        where,
        default_code="base-energy",
        default_description="Base energy cost",
        default_source=source,
        extra=("rate_per_kwh", "included_in_energy_rates"),
    )
    return BaseEnergyCost(
        head.code,
        head.description,
        head.source,
        f.number(data, "rate_per_kwh", where),
        f.boolean(data, "included_in_energy_rates", where, True),
    )
