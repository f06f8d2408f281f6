"""Per-kWh cost adjustment riders: fuel and purchased power (PCA) and debt cost (DCA).

Rate 19 (seed 003): "FUEL AND PURCHASED POWER COST ADJUSTMENT ("PCA FACTOR")" per
17.9.550.12 NMAC and "DEBT COST ADJUSTMENT ("DCA FACTOR")" per 17.9.540.16 NMAC;
OCEC (seed 001): "All rates are subject to Fuel and Debt Service Adjustments".
The factor is set per billing month and passed in as :class:`Riders` data; it
applies to billed kWh (after any load factor adjustment) and may be negative.
Rating without riders (a quote) bills no adjustment line; riders given without the
factor a tariff names is an error, never a silent zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from coopcis.core.rating import _fields as f
from coopcis.core.rating.components.base import LineDraft, RatingContext, Stage, header
from coopcis.core.rating.errors import MissingDeterminantError

DESCRIPTIONS = {
    "pca": "Fuel and purchased power cost adjustment",
    "dca": "Debt cost adjustment",
}


@dataclass(frozen=True, slots=True)
class CostAdjustment:
    """Billed kWh x the month's ``factor`` ($/kWh) from the riders."""

    kind: ClassVar[str] = "cost_adjustment"
    stage: ClassVar[Stage] = Stage.RIDER
    code: str
    description: str
    source: str
    factor: str

    def required_determinants(self) -> tuple[str, ...]:
        return ("energy_kwh",)

    def drafts(self, context: RatingContext) -> list[LineDraft]:
        if context.riders is None:
            return []
        factors = context.riders.factors_per_kwh
        if self.factor not in factors:
            raise MissingDeterminantError(context.tariff_code, [f"riders.{self.factor}"])
        kwh = context.quantities.energy_kwh
        assert kwh is not None  # checked by required_determinants
        return [
            LineDraft(self.code, self.description, kwh, "kWh", factors[self.factor], self.source)
        ]


def parse(data: Mapping[str, Any], where: str, source: str) -> CostAdjustment:
    factor = f.choice(data, "factor", where, tuple(DESCRIPTIONS), "pca")
    head = header(
        data,
        where,
        default_code=factor,
        default_description=DESCRIPTIONS[factor],
        default_source=source,
        extra=("factor",),
    )
    return CostAdjustment(head.code, head.description, head.source, factor)
