"""Customer (system) charge: a fixed amount per billing period.

OCEC SUMMARY OF RATES (seed 001): "CUSTOMER CHARGE" per rate class, e.g. General
Service ~ Regular Rate $30.00. Rate 19 (seed 003): 'System Charge or "Customer
Charge" $600.00' per billing period; "There is no allowance for kWh included".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from coopcis.core.rating import _fields as f
from coopcis.core.rating.components.base import Header, LineDraft, RatingContext, Stage, header


@dataclass(frozen=True, slots=True)
class CustomerCharge:
    """``amount`` per billing period, quantity one period (a share when prorated, and
    the days served of the period when a member moved in or out during it)."""

    kind: ClassVar[str] = "customer_charge"
    stage: ClassVar[Stage] = Stage.CHARGE
    code: str
    description: str
    source: str
    amount: Decimal

    def required_determinants(self) -> tuple[str, ...]:
        return ()

    def drafts(self, context: RatingContext) -> list[LineDraft]:
        return [
            LineDraft(
                self.code,
                self.description,
                Decimal(1),
                "period",
                self.amount,
                self.source,
                fixed=True,
            )
        ]


def parse(data: Mapping[str, Any], where: str, source: str) -> CustomerCharge:
    head: Header = header(
        data,
        where,
        default_code="customer",
        default_description="Customer charge",
        default_source=source,
        extra=("amount",),
    )
    return CustomerCharge(head.code, head.description, head.source, f.number(data, "amount", where))
