"""The shipped catalog: every seed code loads, names its source, and reads the seed numbers."""

from datetime import date
from decimal import Decimal as D

import pytest

from coopcis.catalog.tariffs import (
    UnknownTariffError,
    load_tariff,
    load_tariff_versions,
    parse_tariff_file,
    tariff_codes,
)
from coopcis.core.rating.errors import TariffError

SEED_CODES = [
    "ocec-gs",
    "ocec-gs-tou",
    "ocec-light-100",
    "ocec-light-1000",
    "ocec-light-250",
    "ocec-light-400",
    "ocec-lp",
    "ocec-lp-tou",
    "ocec-res",
    "ocec-res-tou",
    "sec-19",
]


def test_catalog_holds_every_seed_code():
    assert tariff_codes() == SEED_CODES


@pytest.mark.parametrize("code", SEED_CODES)
def test_every_tariff_names_its_seed_and_effective_date(code):
    tariff = load_tariff(code)
    assert tariff.effective_date == date(2020, 1, 1)
    assert tariff.source.seed in {"001_d129a79f1c700adc.txt", "003_bd57310bc40b9d01.txt"}
    assert tariff.interpretations
    assert all("seed" in component.source for component in tariff.components)


def test_misprinted_seed_rates_are_read_as_decimals():
    gs_tou = load_tariff("ocec-gs-tou").components[2]
    lp_tou = load_tariff("ocec-lp-tou").components[2]
    assert [rate.rate for rate in gs_tou.rates] == [D("0.1319"), D("0.0944")]
    assert [rate.rate for rate in lp_tou.rates] == [D("0.1242"), D("0.0992")]


def test_rates_are_exact_decimals_not_floats():
    energy = load_tariff("sec-19").components[2]
    assert energy.rate_per_kwh == D("0.072196")
    assert isinstance(energy.rate_per_kwh, D)


def test_load_on_a_date_before_the_first_version_is_refused():
    with pytest.raises(TariffError, match="no version of ocec-res in effect on 2019-12-31"):
        load_tariff("ocec-res", on=date(2019, 12, 31))
    assert load_tariff("ocec-res", on=date(2020, 1, 1)).code == "ocec-res"


def test_unknown_code_lists_the_valid_codes():
    with pytest.raises(UnknownTariffError) as caught:
        load_tariff_versions("ocec-xyz")
    assert str(caught.value) == f"unknown tariff 'ocec-xyz'; valid codes: {', '.join(SEED_CODES)}"


def test_file_errors_name_the_file_and_field():
    with pytest.raises(TariffError, match=r"^x\.toml: code: missing"):
        parse_tariff_file('name = "n"', name="x.toml")
    with pytest.raises(TariffError, match=r"^x\.toml: not valid TOML"):
        parse_tariff_file("code = ", name="x.toml")
