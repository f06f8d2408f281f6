"""Capital credit allocation and retirement, worked by hand (bylaws art. VIII)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coopcis.core.capital_credits.allocation import allocate_margins, split_by_largest_remainder
from coopcis.core.capital_credits.retirement import (
    OpenCredit,
    estate_present_value,
    payouts,
    plan_general_retirement,
)
from coopcis.core.errors import RuleViolation

D = Decimal


def test_a_pool_is_allocated_exactly_by_largest_remainder():
    # $100.00 over three equal patrons: 33.33 each and one cent left, to the first by key
    shares = split_by_largest_remainder(D("100.00"), {"A": D(1), "B": D(1), "C": D(1)})
    assert shares == {"A": D("33.34"), "B": D("33.33"), "C": D("33.33")}
    # $10.00 over patronage 1,000 / 2,000 / 3,000.03: exact 1.66666, 3.33332, 5.00002
    rows = allocate_margins(
        D("10.00"), {"a": D("1000"), "b": D("2000"), "c": D("3000.03"), "z": D(0)}
    )
    assert {row.patron: row.amount for row in rows} == {
        "a": D("1.67"),
        "b": D("3.33"),
        "c": D("5.00"),
    }
    assert sum(row.amount for row in rows) == D("10.00")


@given(
    st.integers(min_value=0, max_value=10**9),
    st.lists(st.integers(min_value=1, max_value=10**7), min_size=1, max_size=40),
)
def test_allocation_never_creates_or_loses_a_cent(cents, weights):
    total = D(cents) / 100
    shares = split_by_largest_remainder(total, {i: D(w) for i, w in enumerate(weights)})
    assert sum(shares.values()) == total
    whole = sum(weights)
    for i, weight in enumerate(weights):
        assert abs(shares[i] - total * weight / whole) < D("0.01")


def test_bad_allocations_are_refused():
    with pytest.raises(RuleViolation, match="negative"):
        allocate_margins(D("-1.00"), {"a": D(1)})
    with pytest.raises(RuleViolation, match="no patronage"):
        allocate_margins(D("5.00"), {"a": D(0)})
    with pytest.raises(RuleViolation, match="whole number of cents"):
        allocate_margins(D("5.001"), {"a": D(1)})


OPEN = [
    OpenCredit(2001, "a", D("100.00")),
    OpenCredit(2001, "b", D("50.00")),
    OpenCredit(2002, "a", D("30.00")),
    OpenCredit(2002, "c", D("90.00")),
    OpenCredit(2003, "b", D("40.00")),
]


def test_fifo_retires_the_oldest_year_then_part_of_the_next():
    rows = plan_general_retirement(D("210.00"), OPEN, method="fifo")
    by = {(r.year, r.patron): r.amount for r in rows}
    # 2001 in full (150.00), then 60.00 of 2002's 120.00 pro rata: a 15.00, c 45.00
    assert by == {
        (2001, "a"): D("100.00"),
        (2001, "b"): D("50.00"),
        (2002, "a"): D("15.00"),
        (2002, "c"): D("45.00"),
    }


def test_percentage_retires_the_same_share_of_every_year():
    rows = plan_general_retirement(D("31.00"), OPEN, method="percentage")
    # 31 of 310 open: 10% of each credit
    assert {(r.year, r.patron): r.amount for r in rows} == {
        (2001, "a"): D("10.00"),
        (2001, "b"): D("5.00"),
        (2002, "a"): D("3.00"),
        (2002, "c"): D("9.00"),
        (2003, "b"): D("4.00"),
    }


def test_hybrid_and_an_approval_beyond_what_is_open():
    rows = plan_general_retirement(D("100.00"), OPEN, method="hybrid", fifo_share=D("0.5"))
    assert sum(r.amount for r in rows) == D("100.00")
    everything = plan_general_retirement(D("1000.00"), OPEN, method="fifo")
    assert sum(r.amount for r in everything) == D("310.00")


def test_small_amounts_carry_forward_or_become_bill_credits():
    rows = plan_general_retirement(D("31.00"), OPEN, method="percentage")
    paid = {
        p.patron: (p.amount, p.how)
        for p in payouts(rows, active_members={"a"}, smallest_check=D("10.00"))
    }
    # a is active (13.00) and gets a bill credit; b (9.00, former) carries forward; c 9.00 too
    assert paid == {
        "a": (D("13.00"), "bill_credit"),
        "b": (D("9.00"), "carried_forward"),
        "c": (D("9.00"), "carried_forward"),
    }


def test_an_estate_retires_at_its_discounted_value():
    rows = estate_present_value(
        {2005: D("120"), 2015: D("200"), 2023: D("80")},
        valued_in=2025,
        rotation_years=25,
        discount_rate=D("0.05"),
    )
    assert [(r.years_until_due, r.value) for r in rows] == [
        (5, D("94.02")),
        (15, D("96.20")),
        (23, D("26.05")),
    ]
    assert sum(r.value for r in rows) == D("216.27")


def test_hybrid_retires_its_share_oldest_first_and_the_rest_as_a_percentage():
    # 100.00, half FIFO: 50.00 of 2001's 150.00 pro rata, a 33.333 -> 33.33 and b 16.667
    # -> 16.67 (the cent to the larger remainder). The other 50.00 over the 260.00 left:
    # a-2001 66.67, b-2001 33.33, a-2002 30, c-2002 90, b-2003 40, x 50/260 = 12.8212,
    # 6.4096, 5.7692, 17.3077, 7.6923 -> floors 12.82, 6.40, 5.76, 17.30, 7.69 (49.97);
    # the three cents left to the largest remainders (.96, .92, .77).
    rows = plan_general_retirement(D("100.00"), OPEN, method="hybrid", fifo_share=D("0.5"))

    assert {(r.year, r.patron): r.amount for r in rows} == {
        (2001, "a"): D("46.15"),
        (2001, "b"): D("23.08"),
        (2002, "a"): D("5.77"),
        (2002, "c"): D("17.31"),
        (2003, "b"): D("7.69"),
    }
    all_fifo = plan_general_retirement(D("100.00"), OPEN, method="hybrid", fifo_share=D("1"))
    assert all_fifo == plan_general_retirement(D("100.00"), OPEN, method="fifo")


def test_active_members_by_check_where_the_profile_says_so():
    rows = plan_general_retirement(D("62.00"), OPEN, method="percentage")
    # 20% of each: a 20.00 + 6.00 = 26.00, b 10.00 + 8.00 = 18.00, c 18.00
    paid = payouts(
        rows,
        active_members={"a", "c"},
        smallest_check=D("20.00"),
        small_active="carry_forward",
        active_by="check",
    )
    # a (active, 26.00) by check; c (active, 18.00 < 20.00) carried forward as the profile
    # says; b (former, 18.00) carried forward
    assert {p.patron: (p.amount, p.how) for p in paid} == {
        "a": (D("26.00"), "check"),
        "b": (D("18.00"), "carried_forward"),
        "c": (D("18.00"), "carried_forward"),
    }
