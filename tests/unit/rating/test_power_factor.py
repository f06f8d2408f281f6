from decimal import Decimal as D

import pytest

from coopcis.core.rating.components.power_factor import PowerFactorRule
from coopcis.core.rating.determinants import MissingDeterminantError
from coopcis.core.rating.errors import TariffError

from .helpers import bill, tariff_of

FLAT_DEMAND = {"kind": "block_demand", "blocks": [{"rate_per_kw": D("18.50")}]}


@pytest.mark.parametrize(
    ("power_factor", "expected"),
    [
        (D("1"), D(1000)),
        (D("0.95"), D(1000)),  # at the threshold: no adjustment
        (D("0.9499"), D(1000) * D("0.95") / D("0.9499")),
        (D("0.90"), D(1000) * D("0.95") / D("0.90")),  # 1,055.55...
    ],
)
def test_ratio_method(power_factor, expected):
    assert PowerFactorRule().adjust(D(1000), power_factor) == expected


@pytest.mark.parametrize(
    ("power_factor", "expected"),
    [(D("0.95"), D(1000)), (D("0.94"), D(1010)), (D("0.85"), D(1100))],
)
def test_one_percent_per_percent_method(power_factor, expected):
    assert PowerFactorRule(method="percent_per_percent").adjust(D(1000), power_factor) == expected


def test_adjusted_demand_is_not_rounded_before_pricing():
    # 1,200 x 0.95 / 0.90 = 1,266.666...; x 18.50 = 23,433.333... -> 23,433.33
    tariff = tariff_of(FLAT_DEMAND, power_factor={"threshold": D("0.95")})
    rated = bill(tariff, demand_kw=D(1200), power_factor=D("0.90"))
    line = rated.line("demand")
    assert str(line.amount) == "23433.33"
    assert line.quantity > D("1266.6666")
    assert "measured 1,200 kW at PF 0.90" in line.description


def test_tariff_with_a_power_factor_rule_needs_a_power_factor():
    tariff = tariff_of(FLAT_DEMAND, power_factor={})
    with pytest.raises(MissingDeterminantError, match="needs power_factor"):
        bill(tariff, demand_kw=D(5))


def test_unknown_method_is_refused():
    with pytest.raises(TariffError, match=r"power_factor\.method"):
        tariff_of(FLAT_DEMAND, power_factor={"method": "guess"})


def test_threshold_above_one_is_refused():
    with pytest.raises(TariffError, match=r"power_factor\.threshold"):
        tariff_of(FLAT_DEMAND, power_factor={"threshold": D("1.5")})
