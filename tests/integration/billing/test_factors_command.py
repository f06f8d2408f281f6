"""``coopcis billing factors`` reads --pca and --dca with the one number parser
(``core.money.parse_decimal``): six decimals at most, a credit allowed, no exponent."""

from decimal import Decimal as D

import pytest

from coopcis.apps.billing.models import RiderFactor
from tests.integration.jobs import coopcis

pytestmark = pytest.mark.django_db


def factors(capsys, pca: str, dca: str = "0.000850"):
    return coopcis(
        capsys, "billing", "factors", "--month", "2026-10", "--pca", pca, "--dca", dca,
        "--source", "October filing",
    )  # fmt: skip


def test_the_factors_are_stored_as_typed(capsys):
    code, out, _ = factors(capsys, "0.004210", "-0.000850")
    assert code == 0 and "PCA 0.004210, DCA -0.000850" in out
    stored = dict(RiderFactor.objects.values_list("code", "per_kwh"))
    assert stored == {"pca": D("0.004210"), "dca": D("-0.000850")}


@pytest.mark.parametrize(
    ("pca", "why"),
    [
        ("4.21e-3", "without an exponent"),
        ("0.0042105", "at most 6 decimals"),
        ("0,00421", "no thousands separators"),
        ("NaN", "not an amount"),
    ],
)
def test_a_factor_the_parser_refuses_is_one_line_and_nothing_stored(capsys, pca, why):
    code, _, err = factors(capsys, pca)
    assert code != 0 and len(err.strip().splitlines()) == 1
    assert err.startswith("--pca: ") or "--pca: " in err
    assert why in err
    assert not RiderFactor.objects.exists()
