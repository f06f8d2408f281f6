"""Per-fixture lighting charge: a fixed monthly charge times the number of fixtures.

OCEC SUMMARY OF RATES (seed 001), "Street Lighting Service ~ Monthly Charge", e.g.
"100 watt HPS / 42 watt LED $15.70". Unmetered (DOMAIN: street lights pay a fixed
monthly charge per fixture class).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from coopcis.core.rating import _fields as f
from coopcis.core.rating.components.base import LineDraft, RatingContext, Stage, header


@dataclass(frozen=True, slots=True)
class LightingCharge:
    """``fixtures`` x ``rate_per_fixture`` per billing period."""

    kind: ClassVar[str] = "lighting"
    stage: ClassVar[Stage] = Stage.CHARGE
    code: str
    description: str
    source: str
    rate_per_fixture: Decimal

    def required_determinants(self) -> tuple[str, ...]:
        return ("fixtures",)

    def drafts(self, context: RatingContext) -> list[LineDraft]:
        fixtures = context.quantities.determinants.fixtures
        assert fixtures is not None  # checked by required_determinants
        quantity = Decimal(fixtures)
        return [
            LineDraft(
                self.code,
                self.description,
                quantity,
                "fixture",
                self.rate_per_fixture,
                self.source,
                fixed=True,
            )
        ]


def parse(data: Mapping[str, Any], where: str, source: str) -> LightingCharge:
    head = header(
        data,
        where,
        default_code="lighting",
        default_description="Street lighting, per fixture",
        default_source=source,
        extra=("rate_per_fixture",),
    )
    return LightingCharge(
        head.code, head.description, head.source, f.number(data, "rate_per_fixture", where)
    )
