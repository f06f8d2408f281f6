"""A day against the member's threshold: kWh strictly over, dollars estimated."""

from __future__ import annotations

from decimal import Decimal

from coopcis.core.money import Money
from coopcis.core.usage.alerts import Threshold, average_price_per_kwh, check_day


def test_a_day_over_the_kwh_threshold():
    check = check_day(energy_wh=40_001, threshold=Threshold(Decimal("40")), price_per_kwh=None)
    assert check.over == ("kwh",)
    exactly = check_day(energy_wh=40_000, threshold=Threshold(Decimal("40")), price_per_kwh=None)
    assert not exactly.is_over  # at the threshold is not over it


def test_the_dollar_threshold_uses_the_latest_bills_price_per_kwh():
    # a $150.00 bill for 1,000 kWh: $0.15 a kWh; 33.4 kWh -> $5.01 (over $5), 33.3 -> $5.00
    price = average_price_per_kwh(bill_total=Money(Decimal("150.00")), bill_energy_wh=1_000_000)
    assert price == Decimal("0.15")
    threshold = Threshold(daily_amount=Money(Decimal("5.00")))
    over = check_day(energy_wh=33_400, threshold=threshold, price_per_kwh=price)
    assert over.over == ("amount",) and over.estimated_amount == Money(Decimal("5.01"))
    under = check_day(energy_wh=33_300, threshold=threshold, price_per_kwh=price)
    assert under.over == () and under.estimated_amount == Money(Decimal("5.00"))  # 4.995 up


def test_without_a_bill_the_dollar_threshold_cannot_be_checked():
    threshold = Threshold(Decimal("10"), Money(Decimal("1.00")))
    check = check_day(energy_wh=12_000, threshold=threshold, price_per_kwh=None)
    assert check.over == ("kwh",) and not check.priced
    assert average_price_per_kwh(bill_total=Money(Decimal("30")), bill_energy_wh=0) is None
