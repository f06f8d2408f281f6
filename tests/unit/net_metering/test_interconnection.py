"""Which systems go behind the net meter, and the application fee (SEC policy 425)."""

from decimal import Decimal as D

import pytest

from coopcis.core.errors import RuleViolation
from coopcis.core.money import Money
from coopcis.core.net_metering.interconnection import ApplicationFee, application_fee, check_system

SEC = ApplicationFee(base=Money.of("50.00"), per_kw=Money.of("1.00"), threshold_kw=D(100))


@pytest.mark.parametrize("kind", ["solar", "WIND", "Hydro", "geothermal", "biomass"])
def test_renewable_systems_are_accepted(kind):
    assert check_system(kind) == kind.upper()


@pytest.mark.parametrize(("kind", "named"), [("battery", "battery"), ("generator", "combust")])
def test_batteries_and_generators_are_refused_citing_the_policy(kind, named):
    with pytest.raises(RuleViolation, match=named) as refused:
        check_system(kind)
    assert "policy 425" in refused.value.message and refused.value.field == "system_type"


def test_other_systems_are_refused():
    with pytest.raises(RuleViolation, match="not a renewable"):
        check_system("nuclear")


@pytest.mark.parametrize(
    ("kw", "fee"),
    [
        ("7.6", "50.00"),
        ("100", "50.00"),
        ("100.5", "51.00"),
        ("150", "100.00"),
        ("250.2", "201.00"),
    ],
)
def test_fee_is_fifty_dollars_plus_a_dollar_a_kw_above_100(kw, fee):
    assert application_fee(ac_kw=D(kw), rule=SEC) == Money.of(fee)


def test_a_system_of_no_size_is_refused():
    with pytest.raises(RuleViolation):
        application_fee(ac_kw=D(0), rule=SEC)
