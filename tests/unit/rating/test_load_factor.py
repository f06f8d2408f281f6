from decimal import Decimal as D

import pytest

from coopcis.core.rating.components.load_factor import LoadFactorRule

from .helpers import bill, tariff_of

ENERGY = {"kind": "flat_energy", "rate_per_kwh": D("0.072196")}
DEMAND = {"kind": "block_demand", "blocks": [{"rate_per_kw": D("18.50")}]}


@pytest.mark.parametrize(
    ("metered", "expected"),
    [
        (D(576000), D(576000)),  # exactly 80% of 1,000 kW x 720 h
        (D(575999), D(576000)),  # just below: raised
        (D(576001), D(576001)),  # above: as metered
        (D(0), D(576000)),
    ],
)
def test_billed_kwh_is_raised_to_eighty_percent_load_factor(metered, expected):
    rule = LoadFactorRule()
    assert rule.billed_kwh(metered_kwh=metered, measured_kw=D(1000), hours=D(720)) == expected


def test_load_factor_uses_measured_not_adjusted_demand():
    # PF 0.90 raises billing demand, but the floor stays 0.8 x 1,200 x 743 = 713,280 kWh
    tariff = tariff_of(
        DEMAND,
        ENERGY,
        power_factor={},
        load_factor={"minimum": D("0.80")},
        billing_demand={"minimum_kw": D(1000)},
    )
    rated = bill(tariff, energy_kwh=D(500000), demand_kw=D(1200), power_factor=D("0.90"))
    energy = rated.line("energy")
    assert energy.quantity == D(713280)
    assert str(energy.amount) == "51495.96"  # 713,280 x 0.072196 = 51,495.96288
    assert "metered 500,000 kWh raised to 80% load factor" in energy.description


def test_dst_month_hours_change_the_floor():
    tariff = tariff_of(DEMAND, ENERGY, load_factor={})
    # March 2020 has 743 hours: 0.8 x 100 x 743 = 59,440
    assert bill(tariff, energy_kwh=D(0), demand_kw=D(100)).line("energy").quantity == D(59440)
