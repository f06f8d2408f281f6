"""ESPI values to Wh: uom 72 x 10**powerOfTenMultiplier, exactly, half up to the Wh."""

import pytest

from coopcis.core.metering.espi import EspiUnitError, scaled_wh


@pytest.mark.parametrize(
    ("value", "power", "expected_wh"),
    [
        (1234567, -3, 1235),  # mWh: 1,234.567 Wh -> 1,235
        (1234500, -3, 1235),  # exactly half: up
        (1234499, -3, 1234),
        (-1500, -3, -2),  # half away from zero, as ADR 0001 rounds
        (450, 0, 450),
        (7, 3, 7000),  # kWh
        (123456789012345, 3, 123456789012345000),  # beyond float's exact integers
    ],
)
def test_power_of_ten_multiplier(value, power, expected_wh):
    assert scaled_wh(value, power_of_ten=power) == expected_wh


def test_large_milliwatt_hours_do_not_go_through_float():
    # float(9007199254740993) == 9007199254740992: a float path would lose the last digit
    assert scaled_wh(9007199254740993500, power_of_ten=-3) == 9007199254740994


def test_other_units_are_refused():
    with pytest.raises(EspiUnitError, match="not Wh"):
        scaled_wh(10, power_of_ten=0, uom=38)
