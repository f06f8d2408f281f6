"""Time-of-use energy charge: kWh priced by TOU period.

OCEC SUMMARY OF RATES (seed 001), optional rates: Residential "On Peak: 3 PM to 9
PM (14) $0.2650", "Off Peak: 9 PM to 3 PM (16) $0.0900"; General Service (12)
$0.1319 / (18) $0.0944; Large Power (11) $0.1242 / (19) $0.0992. The bracketed
numbers are kept as each period's rate code. Needs kWh split by period
(``energy_kwh_by_tou``); see ``rating.tou`` for how intervals are classified.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from coopcis.core.rating.components.base import LineDraft, RatingContext, Stage, header
from coopcis.core.rating.components.tou_rates import TouRate, parse_tou_rates


@dataclass(frozen=True, slots=True)
class TouEnergy:
    """kWh in each period x that period's rate; lines coded ``{code}-{period}``."""

    kind: ClassVar[str] = "tou_energy"
    stage: ClassVar[Stage] = Stage.CHARGE
    code: str
    description: str
    source: str
    rates: tuple[TouRate, ...]

    @property
    def periods(self) -> tuple[str, ...]:
        return tuple(rate.period for rate in self.rates)

    def required_determinants(self) -> tuple[str, ...]:
        return tuple(f"energy_kwh_by_tou.{rate.period}" for rate in self.rates)

    def drafts(self, context: RatingContext) -> list[LineDraft]:
        by_tou: Mapping[str, Decimal] = context.quantities.determinants.energy_kwh_by_tou
        return [
            LineDraft(
                f"{self.code}-{rate.period}",
                f"{self.description}, {rate.label}",
                by_tou[rate.period],
                "kWh",
                rate.rate,
                self.source,
            )
            for rate in self.rates
        ]


def parse(data: Mapping[str, Any], where: str, source: str) -> TouEnergy:
    head = header(
        data,
        where,
        default_code="energy",
        default_description="Energy",
        default_source=source,
        extra=("rates",),
    )
    rates = parse_tou_rates(data, where, rate_key="rate_per_kwh")
    return TouEnergy(head.code, head.description, head.source, rates)
