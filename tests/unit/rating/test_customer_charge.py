from decimal import Decimal as D

import pytest

from coopcis.core.rating.errors import TariffError

from .helpers import amounts, bill, tariff_of

CUSTOMER = {"kind": "customer_charge", "amount": D("30.00")}


def test_bills_the_amount_once_per_period_whatever_the_usage():
    rated = bill(tariff_of(CUSTOMER))
    assert amounts(rated) == {"customer": "30.00"}
    line = rated.line("customer")
    assert (line.quantity, line.unit, line.rate) == (D(1), "period", D("30.00"))


def test_zero_customer_charge_is_a_zero_line():
    assert amounts(bill(tariff_of({"kind": "customer_charge", "amount": D(0)}))) == {
        "customer": "0.00"
    }


def test_negative_amount_is_refused_naming_the_field():
    with pytest.raises(TariffError, match=r"components\[0\]\.amount"):
        tariff_of({"kind": "customer_charge", "amount": D("-1")})


def test_float_amount_is_refused():
    with pytest.raises(TariffError, match=r"components\[0\]\.amount: refusing float"):
        tariff_of({"kind": "customer_charge", "amount": 30.0})


def test_code_and_description_can_be_renamed():
    tariff = tariff_of({**CUSTOMER, "code": "system", "description": "System charge"})
    assert bill(tariff).line("system").description == "System charge"
