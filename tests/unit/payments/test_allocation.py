from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coopcis.core.money import Money
from coopcis.core.payments.allocation import OpenItem, allocate, application_order

m = Money.of


def items():
    return [
        OpenItem(1, "ELECTRIC", date(2026, 2, 1), m("100.00")),
        OpenItem(2, "FEE", date(2026, 1, 15), m("40.00")),
        OpenItem(3, "ELECTRIC", date(2026, 1, 15), m("90.00")),
        OpenItem(4, "DEPOSIT", date(2026, 3, 1), m("150.00")),
    ]


def test_oldest_first_then_category_order():
    result = allocate(m("150.00"), items())
    # due 15 Jan: electric before fee (category order); then the February bill gets 20.00
    assert [(a.item_id, a.amount) for a in result.allocations] == [
        (3, m("90.00")),
        (2, m("40.00")),
        (1, m("20.00")),
    ]
    assert result.unapplied == Money.zero()


def test_category_first_when_the_co_op_says_so():
    ordered = application_order(
        items(), order=("FEE", "ELECTRIC", "DEPOSIT", "LOAN"), oldest_first=False
    )
    assert [item.item_id for item in ordered] == [2, 3, 1, 4]


def test_overpayment_is_left_as_credit():
    result = allocate(m("500.00"), items())
    assert sum((a.amount for a in result.allocations), Money.zero()) == m("380.00")
    assert result.unapplied == m("120.00")


def test_unknown_category_is_refused():
    with pytest.raises(ValueError, match="no application order for GIFT"):
        allocate(m("1.00"), [OpenItem(1, "GIFT", date(2026, 1, 1), m("1.00"))])


cents = st.integers(min_value=0, max_value=10**8).map(lambda n: Money(Decimal(n) / 100))


@given(
    cents,
    st.lists(
        st.tuples(
            st.sampled_from(["ELECTRIC", "FEE", "DEPOSIT", "LOAN"]), st.integers(0, 400), cents
        ),
        max_size=15,
    ),
)
def test_allocation_never_loses_or_overpays_a_cent(amount, rows):
    open_items = [
        OpenItem(i, c, date(2026, 1, 1) + timedelta(days=d), a) for i, (c, d, a) in enumerate(rows)
    ]
    result = allocate(amount, open_items)
    applied = sum((a.amount for a in result.allocations), Money.zero())
    assert applied + result.unapplied == amount
    owed = {item.item_id: item.open_amount for item in open_items}
    assert all(Money.zero() < a.amount <= owed[a.item_id] for a in result.allocations)
    if result.unapplied:
        assert applied == sum(owed.values(), Money.zero())
