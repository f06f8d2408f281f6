"""A stored bill explained for its member: each line in plain words, and why it differs
from the same service point's bill of last month and of the same month last year
(:mod:`coopcis.core.billing.explain` decides; this loads the bills)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from coopcis.apps.billing.models import Bill, BillLineItem, BillStatus
from coopcis.core.billing.explain import (
    BillFacts,
    Comparison,
    LineExplanation,
    LineFacts,
    compare_bills,
    explain_line,
)


@dataclass(frozen=True)
class BillExplanation:
    bill: Bill
    lines: tuple[LineExplanation, ...]
    last_month: Comparison | None
    last_year: Comparison | None


def month_before(period: str, months: int) -> str:
    """``2026-03``, 1 -> ``2026-02``; 12 -> ``2025-03``."""
    year, month = int(period[:4]), int(period[5:7])
    index = year * 12 + month - 1 - months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def bill_facts(bill: Bill, lines: list[BillLineItem] | None = None) -> BillFacts:
    rows = lines if lines is not None else list(bill.lines.all())
    return BillFacts(
        period=bill.period,
        period_start=bill.period_start,
        period_end=bill.period_end,
        energy_kwh=Decimal(bill.energy_wh) / 1000 if bill.energy_wh is not None else None,
        lines=tuple(
            LineFacts(
                code=row.code,
                description=row.description,
                quantity=row.quantity,
                unit=row.unit,
                rate=row.rate,
                amount=row.amount,
                source=row.source,
            )
            for row in rows
        ),
    )


def earlier_bill(bill: Bill, months: int) -> Bill | None:
    """The same service point's posted bill ``months`` billing months before."""
    return (
        Bill.objects.filter(
            service_point_id=bill.service_point_id,
            period=month_before(bill.period, months),
            status=BillStatus.POSTED,
        )
        .prefetch_related("lines")
        .order_by("-id")
        .first()
    )


def explain_bill(bill: Bill) -> BillExplanation:
    """Every line explained, and the comparisons there are bills for (three queries)."""
    facts = bill_facts(bill)
    compared: list[Comparison | None] = []
    for months in (1, 12):
        earlier = earlier_bill(bill, months)
        compared.append(compare_bills(bill=facts, earlier=bill_facts(earlier)) if earlier else None)
    return BillExplanation(
        bill=bill,
        lines=tuple(explain_line(line) for line in facts.lines),
        last_month=compared[0],
        last_year=compared[1],
    )
