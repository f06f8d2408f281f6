"""Property tests: line amounts sum to the total; no float ever reaches Money."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopcis.catalog.tariffs import load_tariff
from coopcis.core.money import Money, MoneyError, round_half_up
from coopcis.core.rating.riders import Riders, TaxRate

from .helpers import bill

quantities = st.decimals(min_value=0, max_value=2_000_000, places=3, allow_nan=False)
factors = st.decimals(min_value=-1, max_value=1, places=6, allow_nan=False)
power_factors = st.decimals(min_value=Decimal("0.5"), max_value=1, places=3)


@settings(max_examples=150, deadline=None)
@given(
    kwh=quantities,
    kw=quantities,
    power_factor=power_factors,
    loss=st.decimals(min_value=0, max_value=Decimal("0.1"), places=4),
    pca=factors,
    dca=factors,
    tax=st.decimals(min_value=0, max_value=Decimal("0.2"), places=5),
)
def test_sec_19_lines_sum_to_the_total_and_are_decimal(kwh, kw, power_factor, loss, pca, dca, tax):
    riders = Riders(
        factors_per_kwh={"pca": pca, "dca": dca}, taxes=(TaxRate(name="GRT", rate=tax),)
    )
    rated = bill(
        load_tariff("sec-19"),
        riders,
        energy_kwh=kwh,
        demand_kw=kw,
        power_factor=power_factor,
        loss_factor=loss,
    )
    assert sum((line.amount for line in rated.lines), Money.zero()) == rated.total
    for line in rated.lines:
        assert isinstance(line.amount.amount, Decimal)
        assert isinstance(line.quantity, Decimal) and isinstance(line.rate, Decimal)
        assert line.amount.amount == round_half_up(line.amount.amount)
    base = sum((line.amount.amount for line in rated.lines[:-2]), Decimal(0))
    assert rated.line("renewable-fee").amount.amount == round_half_up(base / 100)


@settings(max_examples=100, deadline=None)
@given(
    code=st.sampled_from(["ocec-gs-tou", "ocec-lp-tou", "ocec-res-tou"]),
    on_kwh=quantities,
    off_kwh=quantities,
    on_kw=quantities,
    off_kw=quantities,
)
def test_tou_lines_sum_to_the_total(code, on_kwh, off_kwh, on_kw, off_kw):
    rated = bill(
        load_tariff(code),
        energy_kwh_by_tou={"on_peak": on_kwh, "off_peak": off_kwh},
        demand_kw_by_tou={"on_peak": on_kw, "off_peak": off_kw},
    )
    assert sum((line.amount for line in rated.lines), Money.zero()) == rated.total
    assert rated.total.amount >= 0


@settings(max_examples=100, deadline=None)
@given(kwh=quantities, kw=quantities)
def test_block_lines_never_bill_more_energy_than_given(kwh, kw):
    rated = bill(load_tariff("ocec-lp"), energy_kwh=kwh, demand_kw=kw)
    energy = sum(line.quantity for line in rated.lines if line.code.startswith("energy"))
    demand = sum(line.quantity for line in rated.lines if line.code.startswith("demand"))
    assert (energy, demand) == (kwh, kw)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_money_refuses_any_float(value):
    with pytest.raises(MoneyError):
        Money(value)  # type: ignore[arg-type]
