"""Estimation of use when a read is missing or rejected (the E of VEE).

DOMAIN.md "Bills and payment": no reading or a failed meter, estimate from the member's use
in a similar period and mark the bill estimated. The methods, in order:

1. ``SAME_PERIOD_LAST_YEAR``: the daily use over the same dates a year earlier times the
   period's days (a leap day last year does not inflate the estimate), scaled by how the
   member's recent use compares with the same recent days last year (``recent_days`` before
   the period). The scale is kept within ``[1/max_scale, max_scale]`` so one odd month does
   not triple an estimate; when either side of the ratio is missing or zero the use is not
   scaled, and the estimate says so.
2. ``RECENT_AVERAGE``: the average daily use of the ``recent_days`` before the period.
3. ``CLASS_AVERAGE``: a daily average for the member's rate class, passed in by the caller.

Energy is Wh; arithmetic is ``Decimal`` and the estimate is rounded half up to the Wh once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from coopcis.core.metering.history import (
    UsageRecord,
    daily_use,
    recent_span,
    same_span_last_year,
    usage_over,
)
from coopcis.core.periods import Period


class EstimateMethod(StrEnum):
    SAME_PERIOD_LAST_YEAR = "SAME_PERIOD_LAST_YEAR"
    RECENT_AVERAGE = "RECENT_AVERAGE"
    CLASS_AVERAGE = "CLASS_AVERAGE"


class EstimationError(ValueError):
    """No history and no class average: nothing to estimate from."""


@dataclass(frozen=True, slots=True)
class Estimate:
    """Estimated energy (Wh, after the multiplier) over ``period`` and how it was reached."""

    period: Period
    energy_wh: int
    method: EstimateMethod
    detail: str


def _whole_wh(energy: Decimal) -> int:
    return int(energy.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _kwh(energy: Decimal) -> str:
    return f"{energy / 1000:,.1f} kWh"


def _scale(
    history: Sequence[UsageRecord], period: Period, recent_days: int, max_scale: Decimal
) -> tuple[Decimal, str]:
    recent = recent_span(period.start, recent_days)
    now = usage_over(history, recent)
    then = usage_over(history, same_span_last_year(recent))
    if now is None or then is None or then == 0:
        return Decimal(1), "not scaled: no recent use to compare with last year"
    ratio = now / then
    bounded = min(max(ratio, 1 / max_scale), max_scale)
    note = f"scaled x{bounded:.4f} (recent {recent_days} days {_kwh(now)} vs {_kwh(then)} last year"
    if bounded != ratio:
        note += f", ratio {ratio:.4f} capped"
    return bounded, note + ")"


def estimate_usage(
    *,
    period: Period,
    history: Sequence[UsageRecord],
    class_average_wh_per_day: Decimal | None = None,
    recent_days: int = 90,
    max_scale: Decimal = Decimal(3),
) -> Estimate:
    """Estimate the energy used over ``period`` (see the module doc for the methods)."""
    last_year_span = same_span_last_year(period)
    last_year = usage_over(history, last_year_span)
    if last_year is not None:
        scale, note = _scale(history, period, recent_days, max_scale)
        # per day, so a leap day or a longer cycle last year does not inflate the estimate
        energy = _whole_wh(last_year / last_year_span.days * period.days * scale)
        detail = (
            f"{_kwh(last_year)} over {last_year_span.label()} ({last_year_span.days} days) "
            f"for {period.days} days, {note}"
        )
        return Estimate(period, energy, EstimateMethod.SAME_PERIOD_LAST_YEAR, detail)
    recent = daily_use(history, recent_span(period.start, recent_days))
    if recent is not None:
        energy = _whole_wh(recent * period.days)
        detail = f"{_kwh(recent)} a day over the previous {recent_days} days x {period.days} days"
        return Estimate(period, energy, EstimateMethod.RECENT_AVERAGE, detail)
    if class_average_wh_per_day is not None:
        energy = _whole_wh(class_average_wh_per_day * period.days)
        detail = f"class average {_kwh(class_average_wh_per_day)} a day x {period.days} days"
        return Estimate(period, energy, EstimateMethod.CLASS_AVERAGE, detail)
    raise EstimationError(
        f"cannot estimate {period.label()}: no use last year or in the previous "
        f"{recent_days} days, and no class average"
    )
