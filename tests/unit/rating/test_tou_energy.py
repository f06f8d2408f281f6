from decimal import Decimal as D

import pytest

from coopcis.core.rating.determinants import MissingDeterminantError
from coopcis.core.rating.errors import TariffError

from .helpers import ON_PEAK_EVERY_DAY, amounts, bill, tariff_of

RES_TOU = {
    "kind": "tou_energy",
    "rates": [
        {"period": "on_peak", "label": "on-peak 3 PM to 9 PM", "rate_per_kwh": D("0.2650")},
        {"period": "off_peak", "rate_per_kwh": D("0.0900")},
    ],
}


def test_each_period_is_priced_at_its_rate():
    tariff = tariff_of(RES_TOU, time_of_use=ON_PEAK_EVERY_DAY)
    rated = bill(tariff, energy_kwh_by_tou={"on_peak": D(300), "off_peak": D(700)})
    assert amounts(rated) == {"energy-on_peak": "79.50", "energy-off_peak": "63.00"}
    assert rated.line("energy-on_peak").description == "Energy, on-peak 3 PM to 9 PM"


def test_half_cent_rounds_up_per_line():
    # 0.1 kWh x 0.2650 = 0.0265 -> 0.03 ; 0.05 kWh x 0.09 = 0.0045 -> 0.00
    tariff = tariff_of(RES_TOU, time_of_use=ON_PEAK_EVERY_DAY)
    rated = bill(tariff, energy_kwh_by_tou={"on_peak": D("0.1"), "off_peak": D("0.05")})
    assert amounts(rated) == {"energy-on_peak": "0.03", "energy-off_peak": "0.00"}


def test_missing_period_is_named():
    tariff = tariff_of(RES_TOU, time_of_use=ON_PEAK_EVERY_DAY)
    with pytest.raises(MissingDeterminantError) as caught:
        bill(tariff)
    assert caught.value.missing == ("energy_kwh_by_tou.on_peak", "energy_kwh_by_tou.off_peak")
    assert str(caught.value).startswith("test needs energy_kwh_by_tou.on_peak")


def test_rates_must_cover_every_calendar_period():
    only_on = {"kind": "tou_energy", "rates": [{"period": "on_peak", "rate_per_kwh": D(1)}]}
    with pytest.raises(TariffError, match=r"components\[0\]\.rates: must price each TOU period"):
        tariff_of(only_on, time_of_use=ON_PEAK_EVERY_DAY)


def test_period_listed_twice_is_refused():
    twice = {
        "kind": "tou_energy",
        "rates": [
            {"period": "on_peak", "rate_per_kwh": D(1)},
            {"period": "on_peak", "rate_per_kwh": D(2)},
        ],
    }
    with pytest.raises(TariffError, match="needs each TOU period once"):
        tariff_of(twice, time_of_use=ON_PEAK_EVERY_DAY)
