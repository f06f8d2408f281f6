"""Estimation rules: same period last year scaled, recent average, class average."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from coopcis.core.metering.estimation import EstimateMethod, EstimationError, estimate_usage
from coopcis.core.metering.history import UsageRecord, usage_over
from coopcis.core.periods import Period


def monthly(start: date, daily_wh: list[int], days: int = 30) -> list[UsageRecord]:
    """Consecutive 30-day read spans from ``start`` using ``daily_wh`` a day in each."""
    records = []
    for index, per_day in enumerate(daily_wh):
        begin = start + timedelta(days=days * index)
        records.append(UsageRecord(begin, begin + timedelta(days=days), per_day * days))
    return records


def test_usage_over_prorates_by_shared_days_and_needs_full_cover():
    history = [UsageRecord(date(2025, 1, 1), date(2025, 1, 11), 10_000)]
    assert usage_over(history, Period(date(2025, 1, 6), date(2025, 1, 11))) == Decimal(5000)
    assert usage_over(history, Period(date(2025, 1, 6), date(2025, 1, 12))) is None


def test_same_period_last_year_scaled_by_recent_use():
    # given 13 months at 20 kWh/day, then the 90 days before the period at 30 kWh/day
    last_year = monthly(date(2023, 9, 1), [20_000] * 13)
    recent = monthly(date(2025, 1, 2) - timedelta(days=90), [30_000] * 3)
    period = Period(date(2025, 1, 2), date(2025, 2, 1))
    # when
    estimate = estimate_usage(period=period, history=last_year + recent)
    # then: 30 days x 20 kWh last year, x 1.5 for recent use
    assert estimate.method == EstimateMethod.SAME_PERIOD_LAST_YEAR
    assert estimate.energy_wh == 900_000
    assert "scaled x1.5000" in estimate.detail


def test_scale_is_capped():
    last_year = monthly(date(2023, 9, 1), [10_000] * 13)
    recent = monthly(date(2025, 1, 2) - timedelta(days=90), [100_000] * 3)
    estimate = estimate_usage(
        period=Period(date(2025, 1, 2), date(2025, 2, 1)), history=last_year + recent
    )
    assert estimate.energy_wh == 900_000  # 300 kWh x 3, not x 10
    assert "capped" in estimate.detail


def test_recent_average_when_no_last_year():
    history = monthly(date(2025, 1, 1), [10_000, 20_000, 30_000])
    period = Period(date(2025, 4, 1), date(2025, 5, 1))
    estimate = estimate_usage(period=period, history=history)
    assert estimate.method == EstimateMethod.RECENT_AVERAGE
    assert estimate.energy_wh == 600_000  # 20 kWh/day average x 30 days


def test_class_average_for_a_new_member():
    period = Period(date(2025, 3, 1), date(2025, 3, 31))
    estimate = estimate_usage(
        period=period, history=[], class_average_wh_per_day=Decimal("25000.5")
    )
    assert estimate.method == EstimateMethod.CLASS_AVERAGE
    assert estimate.energy_wh == 750_015


def test_nothing_to_estimate_from():
    with pytest.raises(EstimationError, match="cannot estimate"):
        estimate_usage(period=Period(date(2025, 3, 1), date(2025, 3, 31)), history=[])
