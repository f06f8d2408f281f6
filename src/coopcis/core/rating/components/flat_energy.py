"""Flat energy charge: every kWh at one rate.

OCEC SUMMARY OF RATES (seed 001): Residential Service ~ Flat Rate "Energy (all
kWh) $0.1371"; General Service ~ Regular Rate "Energy (all kWh) $0.1150". Rate 19
(seed 003): "All kWh @ $0.072196 per kWh", applied to the billed kWh after the
load factor adjustment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from coopcis.core.rating import _fields as f
from coopcis.core.rating.components.base import LineDraft, RatingContext, Stage, header, with_note


@dataclass(frozen=True, slots=True)
class FlatEnergy:
    """Billed kWh x ``rate_per_kwh``."""

    kind: ClassVar[str] = "flat_energy"
    stage: ClassVar[Stage] = Stage.CHARGE
    code: str
    description: str
    source: str
    rate_per_kwh: Decimal

    def required_determinants(self) -> tuple[str, ...]:
        return ("energy_kwh",)

    def drafts(self, context: RatingContext) -> list[LineDraft]:
        quantities = context.quantities
        assert quantities.energy_kwh is not None  # checked by required_determinants
        description = with_note(self.description, quantities.energy_note)
        return [
            LineDraft(
                self.code, description, quantities.energy_kwh, "kWh", self.rate_per_kwh, self.source
            )
        ]


def parse(data: Mapping[str, Any], where: str, source: str) -> FlatEnergy:
    head = header(
        data,
        where,
        default_code="energy",
        default_description="Energy, all kWh",
        default_source=source,
        extra=("rate_per_kwh",),
    )
    return FlatEnergy(
        head.code, head.description, head.source, f.number(data, "rate_per_kwh", where)
    )
