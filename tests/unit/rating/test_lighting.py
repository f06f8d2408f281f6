from decimal import Decimal as D

import pytest

from coopcis.core.rating.determinants import MissingDeterminantError

from .helpers import amounts, bill, determinants, tariff_of

LIGHT = {"kind": "lighting", "rate_per_fixture": D("15.70")}


@pytest.mark.parametrize(
    ("fixtures", "expected"), [(0, "0.00"), (1, "15.70"), (3, "47.10"), (120, "1884.00")]
)
def test_monthly_charge_times_fixtures(fixtures, expected):
    assert amounts(bill(tariff_of(LIGHT), fixtures=fixtures)) == {"lighting": expected}


def test_lighting_needs_a_fixture_count():
    with pytest.raises(MissingDeterminantError, match="test needs fixtures"):
        bill(tariff_of(LIGHT))


@pytest.mark.parametrize("fixtures", [-1, True, 2.0])
def test_fixture_count_must_be_a_whole_number(fixtures):
    with pytest.raises(ValueError, match="fixtures"):
        determinants(fixtures=fixtures)
