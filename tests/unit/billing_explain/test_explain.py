"""Why a bill differs from another, by cause, with figures worked by hand in each test."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from coopcis.core.billing.explain import (
    BillFacts,
    Cause,
    LineFacts,
    LineKind,
    compare_bills,
    explain_line,
)
from coopcis.core.money import Money

CUSTOMER = "SUMMARY OF RATES: Residential Service ~ Flat Rate, CUSTOMER CHARGE $30.00 (seed 001)"


def line(
    code: str, quantity: str, unit: str, rate: str, amount: str, description: str = ""
) -> LineFacts:
    return LineFacts(
        code=code,
        description=description or code,
        quantity=Decimal(quantity),
        unit=unit,
        rate=Decimal(rate),
        amount=Decimal(amount),
        source=f"clause for {code} (seed 001)",
    )


def bill(period: str, start: date, end: date, kwh: str | None, *lines: LineFacts) -> BillFacts:
    return BillFacts(
        period=period,
        period_start=start,
        period_end=end,
        energy_kwh=Decimal(kwh) if kwh is not None else None,
        lines=lines,
    )


# March: 31 days, 1,000 kWh
#   customer                                       30.00
#   energy 1,000 x 0.1371                       = 137.10
#   PCA    1,000 x 0.012345 = 12.345           ->  12.35
#   DCA    1,000 x 0.0021                       =   2.10
#   tax    181.55 x 0.06875 = 12.4815625       ->  12.48     total 194.03
MARCH = bill(
    "2026-03",
    date(2026, 3, 1),
    date(2026, 4, 1),
    "1000",
    line("customer", "1", "period", "30.00", "30.00"),
    line("energy", "1000", "kWh", "0.1371", "137.10"),
    line("pca", "1000", "kWh", "0.012345", "12.35"),
    line("dca", "1000", "kWh", "0.0021", "2.10"),
    line("tax-gross-receipts", "181.55", "$", "0.06875", "12.48"),
)
# February before it: 30 days (a made-up period), 900 kWh
#   customer 30.00; energy 900 x 0.1371 = 123.39; PCA 900 x 0.010 = 9.00;
#   DCA 900 x 0.0021 = 1.89; tax 164.28 x 0.06875 = 11.29425 -> 11.29   total 175.57
FEBRUARY = bill(
    "2026-02",
    date(2026, 1, 30),
    date(2026, 3, 1),
    "900",
    line("customer", "1", "period", "30.00", "30.00"),
    line("energy", "900", "kWh", "0.1371", "123.39"),
    line("pca", "900", "kWh", "0.010", "9.00"),
    line("dca", "900", "kWh", "0.0021", "1.89"),
    line("tax-gross-receipts", "164.28", "$", "0.06875", "11.29"),
)


def test_days_usage_rider_and_tax_add_up_to_the_change():
    comparison = compare_bills(bill=MARCH, earlier=FEBRUARY)
    # 194.03 - 175.57
    assert comparison.change == Money(Decimal("18.46"))
    assert comparison.days_change == 1
    assert comparison.energy_change_kwh == Decimal(100)
    # one more day at February's 30 kWh a day, at its 134.28 / 900 = 0.1492 a kWh:
    # 30 x 0.1492 = 4.476 -> 4.48
    assert comparison.amount_for(Cause.DAYS) == Money(Decimal("4.48"))
    # 100 kWh more at February's rates: 13.71 + 1.00 + 0.21 = 14.92, less the days' 4.476
    # = 10.444 -> 10.44
    assert comparison.amount_for(Cause.USAGE) == Money(Decimal("10.44"))
    # PCA 0.010 -> 0.012345 on March's 1,000 kWh: 2.345 -> 2.35
    assert comparison.amount_for(Cause.RIDERS) == Money(Decimal("2.35"))
    # 12.48 - 11.29
    assert comparison.amount_for(Cause.TAXES) == Money(Decimal("1.19"))
    assert comparison.amount_for(Cause.RATES) == Money.zero()
    assert comparison.amount_for(Cause.OTHER) == Money.zero()
    assert [change.code for change in comparison.rate_changes] == ["pca"]
    assert sum((d.amount for d in comparison.differences), Money.zero()) == comparison.change


def test_a_rate_increase_is_rates_not_usage():
    # same 30 days and 900 kWh; customer 30.00 -> 32.50, energy 0.1371 -> 0.1400:
    # 2.50 + 900 x 0.0029 = 2.61 -> 5.11 in all
    earlier = bill(
        "2025-03",
        date(2025, 3, 1),
        date(2025, 3, 31),
        "900",
        line("customer", "1", "period", "30.00", "30.00"),
        line("energy", "900", "kWh", "0.1371", "123.39"),
    )
    later = bill(
        "2026-03",
        date(2026, 3, 1),
        date(2026, 3, 31),
        "900",
        line("customer", "1", "period", "32.50", "32.50"),
        line("energy", "900", "kWh", "0.1400", "126.00"),
    )
    comparison = compare_bills(bill=later, earlier=earlier)
    assert comparison.change == Money(Decimal("5.11"))
    assert comparison.differences[0].cause is Cause.RATES
    assert [(d.cause, d.amount.amount) for d in comparison.differences] == [
        (Cause.RATES, Decimal("5.11"))
    ]
    assert [(c.code, c.earlier_rate, c.rate) for c in comparison.rate_changes] == [
        ("customer", Decimal("30.00"), Decimal("32.50")),
        ("energy", Decimal("0.1371"), Decimal("0.1400")),
    ]


def test_a_new_block_is_usage():
    # 500 kWh all in the first block (500 x 0.12 = 60.00), then 700: 200 more at 0.10
    earlier = bill(
        "2026-01",
        date(2026, 1, 1),
        date(2026, 2, 1),
        "500",
        line("energy-1", "500", "kWh", "0.12", "60.00"),
    )
    later = bill(
        "2026-02",
        date(2026, 2, 1),
        date(2026, 3, 4),
        "700",
        line("energy-1", "500", "kWh", "0.12", "60.00"),
        line("energy-2", "200", "kWh", "0.10", "20.00"),
    )
    comparison = compare_bills(bill=later, earlier=earlier)
    assert comparison.change == Money(Decimal("20.00"))
    assert comparison.amount_for(Cause.USAGE) == Money(Decimal("20.00"))


def test_the_cents_the_line_rounding_leaves_are_other():
    # 3 kWh x 0.105 = 0.315 -> 0.32; 4 kWh x 0.105 = 0.42: the bills differ by 0.10,
    # while 1 kWh more at 0.105 is 0.105 -> 0.11; the cent left over is OTHER
    earlier = bill(
        "2026-01",
        date(2026, 1, 1),
        date(2026, 2, 1),
        "3",
        line("energy", "3", "kWh", "0.105", "0.32"),
    )
    later = bill(
        "2026-02",
        date(2026, 2, 1),
        date(2026, 3, 4),
        "4",
        line("energy", "4", "kWh", "0.105", "0.42"),
    )
    comparison = compare_bills(bill=later, earlier=earlier)
    assert comparison.amount_for(Cause.USAGE) == Money(Decimal("0.11"))
    assert comparison.amount_for(Cause.OTHER) == Money(Decimal("-0.01"))
    assert comparison.change == Money(Decimal("0.10"))


def test_explain_a_tax_line_as_a_percent_and_the_clause_without_seed_references():
    explained = explain_line(line("tax-gross-receipts", "181.55", "$", "0.06875", "12.48"))
    assert explained.kind is LineKind.TAX
    assert explained.percent == Decimal("6.875")
    assert explained.clause == "clause for tax-gross-receipts"
    customer = explain_line(
        LineFacts(
            "customer", "Customer charge", Decimal(1), "period", Decimal(30), Decimal(30), CUSTOMER
        )
    )
    assert customer.kind is LineKind.FIXED
    assert customer.clause.endswith("CUSTOMER CHARGE $30.00")
    credit = explain_line(line("pca", "500", "kWh", "-0.004", "-2.00"))
    assert (credit.kind, credit.is_credit) == (LineKind.RIDER, True)
