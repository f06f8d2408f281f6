"""Tiered demand and time-of-use demand: boundaries at the first block."""

from decimal import Decimal as D

import pytest

from coopcis.core.rating.determinants import MissingDeterminantError
from coopcis.core.rating.errors import TariffError

from .helpers import ON_PEAK_EVERY_DAY, amounts, bill, tariff_of

GS_DEMAND = {
    "kind": "block_demand",
    "blocks": [{"up_to_kw": D(10), "rate_per_kw": D("1.25")}, {"rate_per_kw": D("9.25")}],
}
TOU_RATES = [
    {"period": "on_peak", "rate_per_kw": D("20.50")},
    {"period": "off_peak", "rate_per_kw": D("3.00")},
]
GS_TOU_DEMAND = {
    "kind": "tou_demand",
    "first_block_kw": D(10),
    "first_block_rate_per_kw": D("1.25"),
    "rates": TOU_RATES,
}


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        (D(0), {"demand-1": "0.00"}),
        (D("9.99"), {"demand-1": "12.49"}),
        (D(10), {"demand-1": "12.50"}),
        (D("10.01"), {"demand-1": "12.50", "demand-2": "0.09"}),
        (D(12), {"demand-1": "12.50", "demand-2": "18.50"}),
    ],
)
def test_tiered_demand_boundaries(kw, expected):
    assert amounts(bill(tariff_of(GS_DEMAND), demand_kw=kw)) == expected


def test_single_block_demand_is_one_flat_line():
    flat = {"kind": "block_demand", "blocks": [{"rate_per_kw": D("18.50")}]}
    rated = bill(tariff_of(flat), demand_kw=D("1234.5"))
    assert amounts(rated) == {"demand": "22838.25"}


def test_demand_charge_needs_demand():
    with pytest.raises(MissingDeterminantError, match="needs demand_kw"):
        bill(tariff_of(GS_DEMAND))


def tou_bill(component, on_kw, off_kw):
    tariff = tariff_of(component, time_of_use=ON_PEAK_EVERY_DAY)
    return bill(tariff, demand_kw_by_tou={"on_peak": on_kw, "off_peak": off_kw})


def test_tou_demand_deducts_the_first_block_from_each_period():
    # first 10 kW x 1.25 = 12.50; on (18-10) x 20.50 = 164.00; off (25-10) x 3.00 = 45.00
    assert amounts(tou_bill(GS_TOU_DEMAND, D(18), D(25))) == {
        "demand-first": "12.50",
        "demand-on_peak": "164.00",
        "demand-off_peak": "45.00",
    }


def test_tou_demand_below_the_first_block_bills_only_the_peak_at_the_block_rate():
    # peak 6 kW: 6 x 1.25 = 7.50; nothing above 10 kW in either period
    assert amounts(tou_bill(GS_TOU_DEMAND, D(6), D(4))) == {
        "demand-first": "7.50",
        "demand-on_peak": "0.00",
        "demand-off_peak": "0.00",
    }


def test_tou_demand_exactly_at_the_first_block():
    assert amounts(tou_bill(GS_TOU_DEMAND, D(10), D("10.01"))) == {
        "demand-first": "12.50",
        "demand-on_peak": "0.00",
        "demand-off_peak": "0.03",
    }


def test_tou_demand_in_addition_mode_bills_whole_period_peaks():
    component = {**GS_TOU_DEMAND, "first_block_mode": "in_addition"}
    # 12.50 + 18 x 20.50 = 369.00 + 25 x 3.00 = 75.00
    assert amounts(tou_bill(component, D(18), D(25))) == {
        "demand-first": "12.50",
        "demand-on_peak": "369.00",
        "demand-off_peak": "75.00",
    }


def test_tou_demand_without_first_block_bills_each_period_in_full():
    component = {"kind": "tou_demand", "rates": TOU_RATES}
    assert amounts(tou_bill(component, D(400), D(450))) == {
        "demand-on_peak": "8200.00",
        "demand-off_peak": "1350.00",
    }


def test_tou_demand_needs_each_period():
    tariff = tariff_of(GS_TOU_DEMAND, time_of_use=ON_PEAK_EVERY_DAY)
    with pytest.raises(MissingDeterminantError, match=r"demand_kw_by_tou\.off_peak"):
        bill(tariff, demand_kw_by_tou={"on_peak": D(5)})


def test_tou_demand_without_a_calendar_is_refused():
    with pytest.raises(TariffError, match=r"components\[0\]\.rates"):
        tariff_of(GS_TOU_DEMAND)


def test_first_block_rate_without_size_is_refused():
    component = {"kind": "tou_demand", "first_block_rate_per_kw": D(1), "rates": TOU_RATES}
    with pytest.raises(TariffError, match="first_block_kw"):
        tariff_of(component, time_of_use=ON_PEAK_EVERY_DAY)


def test_unknown_first_block_mode_is_refused():
    component = {**GS_TOU_DEMAND, "first_block_mode": "sometimes"}
    with pytest.raises(TariffError, match="first_block_mode"):
        tariff_of(component, time_of_use=ON_PEAK_EVERY_DAY)
