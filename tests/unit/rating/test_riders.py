"""PCA/DCA per-kWh riders, the 1% renewable fee, and location taxes."""

from decimal import Decimal as D

import pytest

from coopcis.core.rating.determinants import MissingDeterminantError
from coopcis.core.rating.errors import TariffError
from coopcis.core.rating.riders import Riders, TaxRate

from .helpers import amounts, bill, tariff_of

CUSTOMER = {"kind": "customer_charge", "amount": D("30.00")}
ENERGY = {"kind": "flat_energy", "rate_per_kwh": D("0.1371")}
PCA = {"kind": "cost_adjustment", "factor": "pca"}
DCA = {"kind": "cost_adjustment", "factor": "dca"}
FEE = {"kind": "percentage_fee", "code": "renewable-fee", "percent": D(1)}
RIDERS = Riders(factors_per_kwh={"pca": D("0.012345"), "dca": D("-0.0021")})


def test_cost_adjustments_are_factor_times_billed_kwh():
    rated = bill(tariff_of(CUSTOMER, ENERGY, PCA, DCA), RIDERS, energy_kwh=D(1000))
    # 1,000 x 0.012345 = 12.345 -> 12.35 ; 1,000 x -0.0021 = -2.10
    assert amounts(rated) == {
        "customer": "30.00",
        "energy": "137.10",
        "pca": "12.35",
        "dca": "-2.10",
    }
    assert rated.line("pca").description == "Fuel and purchased power cost adjustment"


def test_negative_half_cent_rounds_away_from_zero():
    riders = Riders(factors_per_kwh={"pca": D("-0.005"), "dca": D(0)})
    rated = bill(tariff_of(PCA, DCA), riders, energy_kwh=D(1))
    assert amounts(rated) == {"pca": "-0.01", "dca": "0.00"}


def test_without_riders_no_adjustment_line_is_billed():
    assert amounts(bill(tariff_of(ENERGY, PCA), energy_kwh=D(1000))) == {"energy": "137.10"}


def test_riders_missing_a_factor_the_tariff_names_is_an_error():
    riders = Riders(factors_per_kwh={"pca": D("0.01")})
    with pytest.raises(MissingDeterminantError, match=r"test needs riders\.dca"):
        bill(tariff_of(ENERGY, PCA, DCA), riders, energy_kwh=D(1))


def test_fee_is_a_percent_of_the_rounded_sum_of_all_lines_before_it():
    # lines 30.00 + 137.10 + 12.35 - 2.10 = 177.35 ; 1% = 1.7735 -> 1.77
    rated = bill(tariff_of(CUSTOMER, ENERGY, PCA, DCA, FEE), RIDERS, energy_kwh=D(1000))
    fee = rated.line("renewable-fee")
    assert (fee.quantity, fee.rate, str(fee.amount)) == (D("177.35"), D("0.01"), "1.77")
    assert str(rated.total) == "179.12"


def test_fee_uses_rounded_lines_not_raw_amounts():
    # each line 1 kWh x 0.0149 = 0.0149 -> 0.01; rounded sum 0.02 (raw 0.0298 would give 0.03)
    energy_a = {"kind": "flat_energy", "code": "a", "rate_per_kwh": D("0.0149")}
    energy_b = {"kind": "flat_energy", "code": "b", "rate_per_kwh": D("0.0149")}
    whole = {"kind": "percentage_fee", "percent": D(100)}
    rated = bill(tariff_of(energy_a, energy_b, whole), energy_kwh=D(1))
    assert amounts(rated) == {"a": "0.01", "b": "0.01", "fee": "0.02"}


def test_fee_can_cover_named_lines_only():
    fee = {**FEE, "covers": ["energy"]}
    rated = bill(tariff_of(CUSTOMER, ENERGY, fee), energy_kwh=D(1000))
    assert rated.line("renewable-fee").quantity == D("137.10")


def test_fee_above_100_percent_is_refused():
    with pytest.raises(TariffError, match=r"components\[0\]\.percent"):
        tariff_of({**FEE, "percent": D(101)})


def test_taxes_apply_to_every_line_including_fees_but_not_to_taxes():
    riders = Riders(
        factors_per_kwh=RIDERS.factors_per_kwh,
        taxes=(
            TaxRate(name="Gross receipts", rate=D("0.06875")),
            TaxRate(name="Franchise fee", rate=D("0.02")),
        ),
    )
    rated = bill(tariff_of(CUSTOMER, ENERGY, PCA, DCA, FEE), riders, energy_kwh=D(1000))
    # pre-tax 179.12 ; x 0.06875 = 12.3145 -> 12.31 ; x 0.02 = 3.5824 -> 3.58
    assert rated.line("tax-gross-receipts").quantity == D("179.12")
    assert str(rated.line("tax-gross-receipts").amount) == "12.31"
    assert str(rated.line("tax-franchise-fee").amount) == "3.58"
    assert str(rated.total) == "195.01"


def test_tax_rate_must_be_a_fraction():
    with pytest.raises(ValueError, match="fraction"):
        TaxRate(name="GRT", rate=D("6.875"))


def test_riders_refuse_float_factors():
    with pytest.raises(ValueError, match="float"):
        Riders(factors_per_kwh={"pca": 0.01})
