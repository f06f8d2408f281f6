"""Engine rules: rounding per line, totals, missing determinants, proration by days."""

from datetime import date
from decimal import Decimal as D

import pytest

from coopcis.core.money import Money
from coopcis.core.periods import Period
from coopcis.core.rating.determinants import (
    MissingDeterminantError,
    determinants_from_registers,
    hours_in_period,
    power_factor_from_kvarh,
)
from coopcis.core.rating.engine import rate_bill_prorated, tariff_slices
from coopcis.core.rating.errors import TariffError
from coopcis.core.rating.lines import BillLine, RatedBill

from .helpers import determinants, tariff_of

CUSTOMER = {"kind": "customer_charge", "amount": D("30.00")}
ENERGY = {"kind": "flat_energy", "rate_per_kwh": D("0.1000")}


def version(effective, customer, rate):
    return tariff_of(
        {"kind": "customer_charge", "amount": D(customer)},
        {"kind": "flat_energy", "rate_per_kwh": D(rate)},
        {"kind": "percentage_fee", "percent": D(1)},
        effective_date=effective,
    )


OLD = version(date(2020, 1, 1), "30.00", "0.1000")
NEW = version(date(2020, 3, 11), "31.00", "0.1200")


def test_period_inside_one_version_is_not_prorated():
    found = determinants(period=Period(date(2020, 3, 11), date(2020, 4, 10)), energy_kwh=D(1000))
    rated = rate_bill_prorated(versions=[OLD, NEW], determinants=found)
    assert [(line.code, str(line.amount)) for line in rated.lines] == [
        ("customer", "31.00"),
        ("energy", "120.00"),
        ("fee", "1.51"),
    ]


def test_change_mid_period_prorates_each_version_by_days():
    # 2020-03-01..2020-03-31 (31 days): 10 days old, 21 days new
    found = determinants(period=Period.month(2020, 3), energy_kwh=D(1000))
    rated = rate_bill_prorated(versions=[NEW, OLD], determinants=found)
    # old customer 30 x 10/31 = 9.677 -> 9.68 ; energy 100 x 10/31 = 32.258 -> 32.26
    # new customer 31 x 21/31 = 21.00 ; energy 120 x 21/31 = 81.290 -> 81.29
    # fee 1% of 144.23 = 1.4423 -> 1.44 (applied once, to the rounded lines)
    assert [str(line.amount) for line in rated.lines] == [
        "9.68",
        "32.26",
        "21.00",
        "81.29",
        "1.44",
    ]
    assert str(rated.total) == "145.67"
    assert "10/31 days at rates effective 2020-01-01" in rated.lines[0].description
    assert rated.lines[1].quantity == D(1000)


def test_period_before_the_first_version_is_refused():
    with pytest.raises(TariffError, match="no version of test in effect on 2019-12-15"):
        tariff_slices(versions=[OLD], period=Period(date(2019, 12, 15), date(2020, 1, 15)))


def test_versions_of_different_schedules_are_refused():
    other = tariff_of(CUSTOMER, code="other")
    with pytest.raises(TariffError, match="versions of one schedule"):
        tariff_slices(versions=[OLD, other], period=Period.month(2020, 3))


def test_slices_cover_the_period_exactly():
    slices = tariff_slices(versions=[OLD, NEW], period=Period.month(2020, 3))
    assert [(t.effective_date, p.days) for t, p in slices] == [
        (date(2020, 1, 1), 10),
        (date(2020, 3, 11), 21),
    ]


def test_missing_determinants_are_all_named_at_once():
    demand = {"kind": "block_demand", "blocks": [{"rate_per_kw": D(1)}]}
    tariff = tariff_of(ENERGY, demand, code="ocec-gs")
    with pytest.raises(MissingDeterminantError) as caught:
        rate_bill_prorated(versions=[tariff], determinants=determinants())
    assert str(caught.value) == "ocec-gs needs energy_kwh, demand_kw"


def test_bill_total_must_equal_its_lines():
    line = BillLine("a", "A", D(1), "kWh", D(1), Money.of("1.00"), "s")
    with pytest.raises(ValueError, match="sum of its lines"):
        RatedBill("t", Period.month(2020, 3), (line,), Money.of("2.00"))


def test_line_amount_must_be_whole_cents():
    with pytest.raises(ValueError, match="not rounded to cents"):
        BillLine("a", "A", D(1), "kWh", D(1), Money.of("1.005"), "s")


def test_hours_in_period_follow_dst():
    assert hours_in_period(Period.month(2020, 3)) == D(743)
    assert hours_in_period(Period.month(2020, 11)) == D(721)
    assert hours_in_period(Period.month(2020, 4)) == D(720)


def test_power_factor_from_kvarh():
    # kWh 800, kVARh 600 -> 800 / 1,000 = 0.8
    assert power_factor_from_kvarh(energy_kwh=D(800), reactive_kvarh=D(600)) == D("0.8")


def test_register_determinants_from_kvarh():
    found = determinants_from_registers(
        period=Period.month(2020, 4),
        energy_kwh=D(800),
        demand_kw=D(5),
        reactive_kvarh=D(600),
        contract_kw=D(1),
    )
    assert (found.power_factor, found.hours, found.contract_kw) == (D("0.8"), D(720), D(1))


def test_tou_parts_must_add_up_to_the_total():
    with pytest.raises(ValueError, match="not the sum of its TOU parts"):
        determinants(energy_kwh=D(10), energy_kwh_by_tou={"on_peak": D(3), "off_peak": D(6)})
    found = determinants(energy_kwh_by_tou={"on_peak": D(3), "off_peak": D(6)})
    assert found.energy_kwh == D(9)


@pytest.mark.parametrize(
    ("field", "value"),
    [("energy_kwh", 1.5), ("demand_kw", D(-1)), ("power_factor", D("1.2")), ("hours", 720.0)],
)
def test_determinants_refuse_floats_and_impossible_values(field, value):
    with pytest.raises(ValueError):
        determinants(**{field: value})
