"""Flat and block energy charges: boundaries at 0, at the block bound, and past it."""

from decimal import Decimal as D

import pytest

from coopcis.core.rating.determinants import MissingDeterminantError
from coopcis.core.rating.errors import TariffError

from .helpers import amounts, bill, tariff_of

FLAT = {"kind": "flat_energy", "rate_per_kwh": D("0.1371")}
BLOCKS = {
    "kind": "block_energy",
    "blocks": [
        {"up_to_kwh": D(500000), "rate_per_kwh": D("0.1114")},
        {"rate_per_kwh": D("0.0893")},
    ],
}


def test_flat_energy_rounds_the_line_half_up():
    # 850 x 0.1371 = 116.535 -> 116.54
    assert amounts(bill(tariff_of(FLAT), energy_kwh=D(850))) == {"energy": "116.54"}


def test_flat_energy_does_not_round_the_quantity():
    # 0.0005 kWh x 0.1371 = 0.00006855 -> 0.00; 36.4742 kWh x 0.1371 = 5.00061... -> 5.00
    line = bill(tariff_of(FLAT), energy_kwh=D("36.4742")).line("energy")
    assert line.quantity == D("36.4742")
    assert str(line.amount) == "5.00"


def test_zero_kwh_is_a_zero_line():
    assert amounts(bill(tariff_of(FLAT), energy_kwh=D(0))) == {"energy": "0.00"}


def test_flat_energy_needs_kwh():
    with pytest.raises(MissingDeterminantError, match="test needs energy_kwh"):
        bill(tariff_of(FLAT))


@pytest.mark.parametrize(
    ("kwh", "expected"),
    [
        (D(0), {"energy-1": "0.00"}),
        (D(499999), {"energy-1": "55699.89"}),
        (D(500000), {"energy-1": "55700.00"}),
        (D("500000.01"), {"energy-1": "55700.00", "energy-2": "0.00"}),
        (D(500001), {"energy-1": "55700.00", "energy-2": "0.09"}),
        (D(620000), {"energy-1": "55700.00", "energy-2": "10716.00"}),
    ],
)
def test_block_energy_boundaries(kwh, expected):
    assert amounts(bill(tariff_of(BLOCKS), energy_kwh=kwh)) == expected


def test_block_lines_say_which_block():
    rated = bill(tariff_of(BLOCKS), energy_kwh=D(620000))
    assert rated.line("energy-1").description == "Energy, first 500,000 kWh"
    assert rated.line("energy-2").description == "Energy, over 500,000 kWh"
    assert rated.line("energy-2").quantity == D(120000)


def test_three_blocks_use_cumulative_bounds():
    three = {
        "kind": "block_energy",
        "blocks": [
            {"up_to_kwh": D(100), "rate_per_kwh": D("0.10")},
            {"up_to_kwh": D(300), "rate_per_kwh": D("0.20")},
            {"rate_per_kwh": D("0.30")},
        ],
    }
    rated = bill(tariff_of(three), energy_kwh=D(350))
    assert amounts(rated) == {"energy-1": "10.00", "energy-2": "40.00", "energy-3": "15.00"}
    assert rated.line("energy-2").description == "Energy, next 200 kWh"


@pytest.mark.parametrize(
    ("blocks", "field"),
    [
        ([], r"components\[0\]\.blocks"),
        ([{"up_to_kwh": D(10), "rate_per_kwh": D(1)}], r"blocks\[0\]\.up_to_kwh"),
        (
            [{"rate_per_kwh": D(1)}, {"rate_per_kwh": D(2)}],
            r"blocks\[0\]\.up_to_kwh",
        ),
        (
            [
                {"up_to_kwh": D(10), "rate_per_kwh": D(1)},
                {"up_to_kwh": D(5), "rate_per_kwh": D(1)},
                {"rate_per_kwh": D(1)},
            ],
            r"blocks\[1\]\.up_to_kwh",
        ),
    ],
)
def test_bad_blocks_are_refused_naming_the_field(blocks, field):
    with pytest.raises(TariffError, match=field):
        tariff_of({"kind": "block_energy", "blocks": blocks})


def test_base_energy_cost_included_bills_no_line():
    base = {"kind": "base_energy_cost", "rate_per_kwh": D("0.082125")}
    assert amounts(bill(tariff_of(FLAT, base), energy_kwh=D(1000))) == {"energy": "137.10"}


def test_base_energy_cost_on_top_bills_kwh_at_the_base_rate():
    base = {
        "kind": "base_energy_cost",
        "rate_per_kwh": D("0.082125"),
        "included_in_energy_rates": False,
    }
    # 1,000 x 0.082125 = 82.125 -> 82.13
    assert amounts(bill(tariff_of(FLAT, base), energy_kwh=D(1000))) == {
        "energy": "137.10",
        "base-energy": "82.13",
    }
