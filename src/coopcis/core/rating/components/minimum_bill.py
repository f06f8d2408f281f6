"""Minimum bill: the least a billing period's charges may come to.

Rate 19, MINIMUM BILLING PERIOD CHARGES (seed 003): "the System Charge, plus 1,000
kW of demand at the Demand Charge" ($600.00 + 1,000 x $18.50 = $19,100.00). When
the rounded sum of the charge lines is below the minimum, one adjustment line
makes up the difference. A period billed under two tariff versions compares each
version's share of the minimum with that version's lines; a member who moved in or out
during the period owes the minimum for the days served.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from coopcis.core.money import round_half_up
from coopcis.core.rating import _fields as f
from coopcis.core.rating.components.base import LineDraft, RatingContext, Stage, header

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class MinimumBill:
    """Minimum = ``amount`` + ``demand_kw`` x ``demand_rate_per_kw`` per billing period."""

    kind: ClassVar[str] = "minimum_bill"
    stage: ClassVar[Stage] = Stage.MINIMUM
    code: str
    description: str
    source: str
    amount: Decimal
    demand_kw: Decimal = ZERO
    demand_rate_per_kw: Decimal = ZERO

    @property
    def minimum(self) -> Decimal:
        return self.amount + self.demand_kw * self.demand_rate_per_kw

    def required_determinants(self) -> tuple[str, ...]:
        return ()

    def drafts(self, context: RatingContext) -> list[LineDraft]:
        charges = context.lines_total().amount
        minimum = round_half_up(self.minimum * context.share * context.served_share)
        shortfall = minimum - charges
        if shortfall <= 0:
            return []
        return [
            LineDraft(
                self.code,
                self.description,
                Decimal(1),
                "bill",
                shortfall,
                self.source,
                prorate=False,
            )
        ]


def parse(data: Mapping[str, Any], where: str, source: str) -> MinimumBill:
    head = header(
        data,
        where,
        default_code="minimum",
        default_description="Minimum bill adjustment",
        default_source=source,
        extra=("amount", "demand_kw", "demand_rate_per_kw"),
    )
    return MinimumBill(
        head.code,
        head.description,
        head.source,
        f.number(data, "amount", where),
        f.number(data, "demand_kw", where, default=ZERO),
        f.number(data, "demand_rate_per_kw", where, default=ZERO),
    )
