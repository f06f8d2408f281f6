"""Register arithmetic: advance, rollover, true-up after an estimate."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coopcis.core.metering.registers import register_advance, register_after, register_modulus_wh

KWH = 1000


def test_plain_advance_applies_the_multiplier():
    advance = register_advance(
        previous_wh=1_000 * KWH, current_wh=1_250 * KWH, dials=5, multiplier=40
    )
    assert advance.register_wh == 250 * KWH
    assert advance.energy_wh == 10_000 * KWH
    assert not advance.rolled_over and not advance.went_backwards


def test_rollover_near_the_top_of_the_dials_goes_through_zero():
    # 5 dials: 99,950 kWh -> 120 kWh is 170 kWh through zero
    advance = register_advance(previous_wh=99_950 * KWH, current_wh=120 * KWH, dials=5)
    assert advance.rolled_over
    assert advance.energy_wh == 170 * KWH


def test_register_down_far_from_the_top_went_backwards():
    advance = register_advance(previous_wh=50_000 * KWH, current_wh=49_900 * KWH, dials=5)
    assert advance.went_backwards and not advance.rolled_over
    assert advance.energy_wh == -100 * KWH


def test_rollover_band_is_a_parameter():
    # 11,000 kWh through zero on 5 dials is 11% of the range: backwards at 10%, rollover at 20%
    reads = {"previous_wh": 90_000 * KWH, "current_wh": 1_000 * KWH, "dials": 5}
    assert register_advance(**reads).went_backwards
    assert register_advance(**reads, rollover_fraction=Decimal("0.2")).rolled_over


def test_true_up_after_an_estimate_may_be_a_credit():
    advance = register_advance(
        previous_wh=5_300 * KWH, current_wh=5_200 * KWH, dials=5, previous_is_estimate=True
    )
    assert advance.trued_up and not advance.went_backwards
    assert advance.energy_wh == -100 * KWH


def test_register_must_fit_the_dials():
    with pytest.raises(ValueError, match="does not fit on 4 dials"):
        register_advance(previous_wh=0, current_wh=10_000 * KWH, dials=4)


def test_estimated_register_rounds_to_the_multiplier_and_wraps():
    assert (
        register_after(previous_wh=99_900 * KWH, energy_wh=300 * KWH, multiplier=1, dials=5)
        == 200 * KWH
    )
    # 1,000,001 Wh / 40 = 25,000.025 Wh of register -> 25,000 Wh
    assert register_after(previous_wh=0, energy_wh=1_000_001, multiplier=40, dials=6) == 25_000


dials = st.integers(min_value=4, max_value=8)


@given(
    dials=dials,
    multiplier=st.sampled_from([1, 2, 40, 80, 600]),
    previous_fraction=st.fractions(min_value=0, max_value=1, max_denominator=10_000),
    used=st.fractions(min_value=0, max_value=Decimal("0.099"), max_denominator=10_000),
    estimated=st.fractions(min_value=0, max_value=Decimal("0.099"), max_denominator=10_000),
)
def test_estimate_then_actual_bills_exactly_the_metered_energy(
    dials, multiplier, previous_fraction, used, estimated
):
    """Property: energy(previous -> estimate) + energy(estimate -> actual) equals
    energy(previous -> actual), whatever the estimate, multiplier and rollover."""
    modulus = register_modulus_wh(dials)
    previous = int(previous_fraction * (modulus - 1))
    actual = (previous + int(used * modulus)) % modulus
    estimate = register_after(
        previous_wh=previous,
        energy_wh=int(estimated * modulus) * multiplier,
        multiplier=multiplier,
        dials=dials,
    )
    first = register_advance(
        previous_wh=previous, current_wh=estimate, dials=dials, multiplier=multiplier
    )
    second = register_advance(
        previous_wh=estimate,
        current_wh=actual,
        dials=dials,
        multiplier=multiplier,
        previous_is_estimate=True,
    )
    metered = register_advance(
        previous_wh=previous, current_wh=actual, dials=dials, multiplier=multiplier
    )
    assert not first.went_backwards and not metered.went_backwards
    assert (
        first.energy_wh + second.energy_wh == metered.energy_wh == int(used * modulus) * multiplier
    )
