"""parse_tariff: clear TariffError naming the field for bad data."""

from datetime import date
from decimal import Decimal as D

import pytest

from coopcis.core.rating.errors import TariffError
from coopcis.core.rating.tariff import parse_tariff

GOOD = {
    "code": "ocec-res",
    "name": "Residential",
    "rate_class": "residential",
    "effective_date": date(2020, 1, 1),
    "source": {"document": "handbook", "reference": "rates table", "seed": "001.txt"},
    "interpretations": ["one reading"],
    "components": [{"kind": "customer_charge", "amount": D("30.00")}],
}


def without(key):
    return {k: v for k, v in GOOD.items() if k != key}


def test_a_good_tariff_parses():
    tariff = parse_tariff(GOOD)
    assert (tariff.code, tariff.effective_date) == ("ocec-res", date(2020, 1, 1))
    assert str(tariff.source) == "handbook; rates table; seed 001.txt"
    assert tariff.interpretations == ("one reading",)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (without("code"), "^code: missing"),
        ({**GOOD, "code": "OCEC res"}, "^code: must be lowercase"),
        (without("effective_date"), "^effective_date: missing"),
        ({**GOOD, "effective_date": "Jan 1"}, "^effective_date: must be a date"),
        (without("source"), "^source: missing"),
        ({**GOOD, "source": {"reference": "x"}}, "^source.document: missing"),
        ({**GOOD, "components": []}, "^components: a tariff needs"),
        ({**GOOD, "components": [{"kind": "bogus"}]}, r"^components\[0\]\.kind: unknown kind"),
        ({**GOOD, "components": [{"kind": "flat_energy"}]}, r"rate_per_kwh: missing"),
        (
            {**GOOD, "components": [{"kind": "flat_energy", "rate_per_kwh": "abc"}]},
            r"^components\[0\]\.rate_per_kwh: not a number",
        ),
        (
            {**GOOD, "components": [{"kind": "flat_energy", "rate": D(1)}]},
            r"^components\[0\]: unknown field\(s\) rate",
        ),
        ({**GOOD, "colour": "blue"}, "unknown field.* colour"),
        ({**GOOD, "interpretations": "one"}, "^interpretations: must be an array"),
        (
            {**GOOD, "components": GOOD["components"] * 2},
            "^components: duplicate component code.* customer",
        ),
    ],
)
def test_bad_data_names_the_field(data, message):
    with pytest.raises(TariffError, match=message):
        parse_tariff(data)


def test_tariff_is_frozen():
    tariff = parse_tariff(GOOD)
    with pytest.raises(AttributeError):
        tariff.code = "x"  # type: ignore[misc]
