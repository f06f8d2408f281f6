"""Percentage fee: a percent of the rounded sum of the lines it covers.

Rate 19, RENEWABLE ENERGY AND CONSERVATION FEE (seed 003): "a Renewable Energy and
Conservation Fee of 1%", deposited into a fund per 17.9.572.23.G NMAC. It applies
to all charges for electric service before taxes (every earlier line, riders
included) unless ``covers`` names line codes (a code covers ``code`` and
``code-*`` lines).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

from coopcis.core.rating import _fields as f
from coopcis.core.rating.components.base import LineDraft, RatingContext, Stage, header
from coopcis.core.rating.errors import TariffError

HUNDRED = Decimal(100)


def covers(prefixes: tuple[str, ...], code: str) -> bool:
    return any(code == prefix or code.startswith(f"{prefix}-") for prefix in prefixes)


@dataclass(frozen=True, slots=True)
class PercentageFee:
    """``percent``% of the covered lines' rounded sum (quantity in dollars)."""

    kind: ClassVar[str] = "percentage_fee"
    stage: ClassVar[Stage] = Stage.FEE
    code: str
    description: str
    source: str
    percent: Decimal
    covered_codes: tuple[str, ...] = ()

    def required_determinants(self) -> tuple[str, ...]:
        return ()

    def drafts(self, context: RatingContext) -> list[LineDraft]:
        codes = frozenset(
            line.code
            for line in context.lines
            if not self.covered_codes or covers(self.covered_codes, line.code)
        )
        base = context.lines_total(codes).amount
        rate = self.percent / HUNDRED
        return [LineDraft(self.code, self.description, base, "$", rate, self.source, prorate=False)]


def parse(data: Mapping[str, Any], where: str, source: str) -> PercentageFee:
    head = header(
        data,
        where,
        default_code="fee",
        default_description="Percentage fee",
        default_source=source,
        extra=("percent", "covers"),
    )
    percent = f.number(data, "percent", where)
    if percent > HUNDRED:
        raise TariffError("must be at most 100", field=f"{where}percent")
    covered = tuple(data.get("covers", ()))
    if not all(isinstance(code, str) for code in covered):
        raise TariffError("must list line codes", field=f"{where}covers")
    return PercentageFee(head.code, head.description, head.source, percent, covered)
