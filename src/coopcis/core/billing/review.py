"""Which bills staff review before they go out (issue: review holds).

A bill is held, not posted, when it is unusual for the member: a negative total, zero use
on a metered service, use far above or below the member's own recent bills, or a second
estimated read in a row. Staff release it or cancel and correct it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from coopcis.core.money import Money

NEGATIVE = "NEGATIVE_TOTAL"
ZERO_USE = "ZERO_USE"
HIGH_USE = "HIGH_USE"
LOW_USE = "LOW_USE"
ESTIMATED_TWICE = "ESTIMATED_TWICE"


@dataclass(frozen=True, kw_only=True, slots=True)
class ReviewRules:
    """Thresholds against the average of the member's recent bills at the same service point."""

    high_ratio: Decimal = Decimal(3)
    low_ratio: Decimal = Decimal("0.25")
    min_history: int = 3
    #: Below this average (kWh) a ratio says little (a cabin used 4 kWh, then 15).
    min_average_kwh: Decimal = Decimal(50)


def hold_reasons(
    *,
    total: Money,
    energy_kwh: Decimal | None,
    history_kwh: Sequence[Decimal],
    estimated: bool,
    previous_estimated: bool,
    rules: ReviewRules = ReviewRules(),
) -> list[str]:
    """Every reason to hold this bill for review (empty: post it).

    ``energy_kwh`` is None for unmetered service (lights); ``history_kwh`` is the use on
    earlier bills at the same service point, most recent first.
    """
    reasons: list[str] = []
    if total.amount < 0:
        reasons.append(NEGATIVE)
    if estimated and previous_estimated:
        reasons.append(ESTIMATED_TWICE)
    if energy_kwh is None:
        return reasons
    if energy_kwh == 0:
        reasons.append(ZERO_USE)
        return reasons
    recent = list(history_kwh[:12])
    if len(recent) >= rules.min_history:
        average = sum(recent, Decimal(0)) / len(recent)
        if average >= rules.min_average_kwh:
            if energy_kwh > average * rules.high_ratio:
                reasons.append(HIGH_USE)
            elif energy_kwh < average * rules.low_ratio:
                reasons.append(LOW_USE)
    return reasons
