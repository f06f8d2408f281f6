"""Billing demand rules: minimum kW, contract kW, ratchet, loss and power factor."""

from decimal import Decimal as D

import pytest

from coopcis.core.rating.components.billing_demand import BillingDemandRule
from coopcis.core.rating.errors import TariffError

from .helpers import bill, tariff_of

FLAT_DEMAND = {"kind": "block_demand", "blocks": [{"rate_per_kw": D("18.50")}]}
RATE_19_RULES = {"minimum_kw": D(1000), "contract_kw": True, "loss_adjustment": True}


def billing_kw(rules, **values):
    tariff = tariff_of(FLAT_DEMAND, billing_demand=rules)
    return bill(tariff, **values).line("demand").quantity


@pytest.mark.parametrize(
    ("measured", "expected"),
    [(D(999), D(1000)), (D(1000), D(1000)), (D("1000.01"), D("1000.01")), (D(0), D(1000))],
)
def test_minimum_kw_boundary(measured, expected):
    assert billing_kw(RATE_19_RULES, demand_kw=measured) == expected


def test_contract_kw_above_measured_sets_billing_demand():
    assert billing_kw(RATE_19_RULES, demand_kw=D(1300), contract_kw=D(1400)) == D(1400)


def test_contract_kw_is_ignored_when_the_rule_does_not_use_it():
    assert billing_kw({"minimum_kw": D(0)}, demand_kw=D(1300), contract_kw=D(1400)) == D(1300)


def test_losses_raise_measured_demand():
    # 1,300 x 1.02 = 1,326
    assert billing_kw(RATE_19_RULES, demand_kw=D(1300), loss_factor=D("0.02")) == D(1326)


def test_losses_compete_with_the_contract_after_adjustment():
    # 1,390 x 1.01 = 1,403.9 > contract 1,400
    kw = billing_kw(RATE_19_RULES, demand_kw=D(1390), contract_kw=D(1400), loss_factor=D("0.01"))
    assert kw == D("1403.9")


def test_demand_note_names_the_floor_that_applied():
    tariff = tariff_of(FLAT_DEMAND, billing_demand=RATE_19_RULES)
    line = bill(tariff, demand_kw=D(800)).line("demand")
    assert "tariff minimum; measured 800 kW" in line.description


@pytest.mark.parametrize(
    ("earlier", "expected"),
    [
        ((D(1000), D(900)), D(750)),  # 75% of 1,000 beats measured 700
        ((D(800),), D(700)),  # 75% of 800 = 600 < measured 700
        ((D(500), D(500), D(2000)), D(700)),  # the 2,000 kW peak is outside the 2 months
        ((), D(700)),
    ],
)
def test_ratchet_is_a_percentage_of_the_highest_recent_peak(earlier, expected):
    rules = {"ratchet_percent": D(75), "ratchet_months": 2}
    assert billing_kw(rules, demand_kw=D(700), earlier_demand_kw=earlier) == expected


def test_ratchet_needs_both_percent_and_months():
    with pytest.raises(TariffError, match=r"billing_demand\.ratchet_months"):
        tariff_of(FLAT_DEMAND, billing_demand={"ratchet_percent": D(75)})


def test_unknown_rule_field_is_refused():
    with pytest.raises(TariffError, match="billing_demand: unknown field"):
        tariff_of(FLAT_DEMAND, billing_demand={"minimum": D(5)})


def test_rule_object_ties_keep_the_measured_basis():
    result = BillingDemandRule(minimum_kw=D(1000)).billing_demand(
        adjusted_kw=D(1000), contract_kw=None, loss_factor=D(0), earlier_demand_kw=()
    )
    assert (result.kw, result.basis) == (D(1000), "measured")
