"""A stored bill explained against last month's bill of the same service point."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from coopcis.apps.billing.explanations import explain_bill, month_before
from coopcis.apps.billing.models import Bill, RiderFactor
from coopcis.apps.billing.run import run_billing
from coopcis.apps.metering.models import RegisterRead
from coopcis.core.billing.explain import Cause, LineKind
from coopcis.core.money import Money

pytestmark = pytest.mark.django_db


def test_months_before():
    assert month_before("2026-03", 1) == "2026-02"
    assert month_before("2026-01", 1) == "2025-12"
    assert month_before("2026-03", 12) == "2025-03"


def test_november_against_october(billed):
    home = billed.home
    meter = (
        RegisterRead.objects.filter(meter__installations__service_point__agreements__account=home)
        .first()
        .meter
    )
    RegisterRead.objects.create(
        meter=meter, read_on=date(2026, 11, 1), register_wh=11_800_000, kind="ACTUAL"
    )
    RiderFactor.objects.create(month="2026-11", code="pca", per_kwh=Decimal("0.005000"), source="t")
    RiderFactor.objects.create(month="2026-11", code="dca", per_kwh=Decimal("0.000850"), source="t")
    run_billing(period_label="2026-11")
    november = Bill.objects.get(account=home, period="2026-11")
    # October: 1,000 kWh in 30 days: 30.00 + 137.10 + PCA 4.21 + DCA 0.85 + tax 11.73 = 183.89
    # November: 800 kWh in 31 days: 30.00 + 109.68 + PCA 800 x 0.005 = 4.00 + DCA 0.68
    #   + tax 144.36 x 0.068125 = 9.834525 -> 9.83 = 154.19
    assert november.total_amount == Decimal("154.19")

    explained = explain_bill(november)

    comparison = explained.last_month
    assert comparison is not None and explained.last_year is None
    assert comparison.change == Money(Decimal("-29.70"))
    assert comparison.days_change == 1 and comparison.energy_change_kwh == Decimal(-200)
    # a day more at October's 33.33 kWh a day, at 142.16 / 1,000 a kWh: 4.7387 -> 4.74
    assert comparison.amount_for(Cause.DAYS) == Money(Decimal("4.74"))
    # 200 kWh less at 0.14216: -28.432, less the day's 4.7387: -33.1707 -> -33.17
    assert comparison.amount_for(Cause.USAGE) == Money(Decimal("-33.17"))
    # PCA up 0.00079 on 800 kWh: 0.632 -> 0.63
    assert comparison.amount_for(Cause.RIDERS) == Money(Decimal("0.63"))
    assert comparison.amount_for(Cause.TAXES) == Money(Decimal("-1.90"))  # 9.83 - 11.73
    assert comparison.amount_for(Cause.OTHER) == Money.zero()
    kinds = [line.kind for line in explained.lines]
    assert kinds[:2] == [LineKind.FIXED, LineKind.ENERGY] and LineKind.TAX in kinds
    assert all("(seed" not in line.clause for line in explained.lines)
