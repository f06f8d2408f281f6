"""Time-of-use demand charge: each period's peak kW at that period's rate.

OCEC SUMMARY OF RATES (seed 001): Large Power ~ Optional Rate "Demand Charge per
kW: (all kW) On Peak (11) $20.50, Off Peak (19) $4.00"; General Service ~ Optional
Rate "Demand Charge per kW: (1-10 kW) $1.25; On Peak (12) $20.50; Off Peak (18)
$3.00".

The seed does not say how GS's first 10 kW combine with the period charges. The
``first_block_mode`` parameter chooses (docs/domain/tariffs.md):

* ``deduct_from_each_period`` (catalog default): the first ``first_block_kw`` of
  the month's peak (the larger period peak) bill at the first-block rate, and each
  period's peak bills only above that at its period rate.
* ``in_addition``: the first block bills as above *and* each period's whole peak
  bills at its period rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from coopcis.core.rating import _fields as f
from coopcis.core.rating.components.base import LineDraft, RatingContext, Stage, header
from coopcis.core.rating.components.tou_rates import TouRate, parse_tou_rates
from coopcis.core.rating.errors import TariffError

MODES = ("deduct_from_each_period", "in_addition")
ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class TouDemand:
    """Peak kW per period x rate, with an optional first block of the month's peak."""

    kind: ClassVar[str] = "tou_demand"
    stage: ClassVar[Stage] = Stage.CHARGE
    code: str
    description: str
    source: str
    rates: tuple[TouRate, ...]
    first_block_kw: Decimal = ZERO
    first_block_rate_per_kw: Decimal = ZERO
    first_block_mode: str = "deduct_from_each_period"

    @property
    def periods(self) -> tuple[str, ...]:
        return tuple(rate.period for rate in self.rates)

    def required_determinants(self) -> tuple[str, ...]:
        return tuple(f"demand_kw_by_tou.{rate.period}" for rate in self.rates)

    def drafts(self, context: RatingContext) -> list[LineDraft]:
        by_tou = context.quantities.demand_kw_by_tou
        drafts = []
        deduct = ZERO
        if self.first_block_kw > 0:
            peak = max(by_tou[rate.period] for rate in self.rates)
            first = min(self.first_block_kw, peak)
            label = f"{self.description}, first {self.first_block_kw:,f} kW"
            drafts.append(
                LineDraft(
                    f"{self.code}-first",
                    label,
                    first,
                    "kW",
                    self.first_block_rate_per_kw,
                    self.source,
                )
            )
            if self.first_block_mode == "deduct_from_each_period":
                deduct = self.first_block_kw
        for rate in self.rates:
            kw = max(ZERO, by_tou[rate.period] - deduct)
            label = f"{self.description}, {rate.label}"
            if deduct:
                label = f"{label}, above {deduct:,f} kW"
            drafts.append(
                LineDraft(f"{self.code}-{rate.period}", label, kw, "kW", rate.rate, self.source)
            )
        return drafts


def parse(data: Mapping[str, Any], where: str, source: str) -> TouDemand:
    head = header(
        data,
        where,
        default_code="demand",
        default_description="Demand",
        default_source=source,
        extra=("rates", "first_block_kw", "first_block_rate_per_kw", "first_block_mode"),
    )
    first_kw = f.number(data, "first_block_kw", where, default=ZERO)
    first_rate = f.number(data, "first_block_rate_per_kw", where, default=ZERO)
    if (first_kw > 0) != ("first_block_rate_per_kw" in data):
        raise TariffError(
            "first_block_kw and first_block_rate_per_kw go together", field=f"{where}first_block_kw"
        )
    return TouDemand(
        head.code,
        head.description,
        head.source,
        parse_tou_rates(data, where, rate_key="rate_per_kw"),
        first_kw,
        first_rate,
        f.choice(data, "first_block_mode", where, MODES, "deduct_from_each_period"),
    )
