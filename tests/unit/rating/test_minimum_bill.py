from decimal import Decimal as D

from coopcis.core.rating.components.minimum_bill import MinimumBill

from .helpers import amounts, bill, tariff_of

CUSTOMER = {"kind": "customer_charge", "amount": D("600.00")}
ENERGY = {"kind": "flat_energy", "rate_per_kwh": D("0.10")}
MINIMUM = {
    "kind": "minimum_bill",
    "amount": D("600.00"),
    "demand_kw": D(1000),
    "demand_rate_per_kw": D("18.50"),
}


def test_minimum_is_system_charge_plus_1000_kw_at_the_demand_charge():
    assert MinimumBill("m", "m", "s", D("600.00"), D(1000), D("18.50")).minimum == D("19100.00")


def test_no_adjustment_when_charges_equal_the_minimum():
    # 600.00 + 185,000 kWh x 0.10 = 19,100.00
    assert amounts(bill(tariff_of(CUSTOMER, ENERGY, MINIMUM), energy_kwh=D(185000))) == {
        "customer": "600.00",
        "energy": "18500.00",
    }


def test_one_cent_short_adds_a_one_cent_adjustment():
    rated = bill(tariff_of(CUSTOMER, ENERGY, MINIMUM), energy_kwh=D("184999.9"))
    assert amounts(rated) == {"customer": "600.00", "energy": "18499.99", "minimum": "0.01"}
    assert rated.total.amount == D("19100.00")


def test_far_below_the_minimum_bills_the_minimum():
    rated = bill(tariff_of(CUSTOMER, ENERGY, MINIMUM), energy_kwh=D(0))
    assert str(rated.line("minimum").amount) == "18500.00"
    assert str(rated.total) == "19100.00"


def test_riders_come_after_the_minimum_and_do_not_count_toward_it():
    from coopcis.core.rating.riders import Riders

    pca = {"kind": "cost_adjustment", "factor": "pca"}
    rated = bill(
        tariff_of(CUSTOMER, ENERGY, MINIMUM, pca),
        Riders(factors_per_kwh={"pca": D("0.01")}),
        energy_kwh=D(1000),
    )
    assert [line.code for line in rated.lines] == ["customer", "energy", "minimum", "pca"]
    assert str(rated.line("minimum").amount) == "18400.00"
