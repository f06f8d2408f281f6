from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coopcis.core.money import Money, MoneyError, round_half_up, to_decimal, total

cents = st.integers(min_value=-(10**12), max_value=10**12).map(lambda n: Money(Decimal(n) / 100))


def test_money_refuses_float():
    with pytest.raises(MoneyError, match="float"):
        Money(0.1)  # type: ignore[arg-type]
    with pytest.raises(MoneyError, match="float"):
        Money.of("1.00") * 1.5  # type: ignore[operator]


def test_money_refuses_bool_and_garbage():
    with pytest.raises(MoneyError):
        to_decimal(True)
    with pytest.raises(MoneyError, match="not a number"):
        Money.of("twelve")
    with pytest.raises(MoneyError, match="finite"):
        Money.of("NaN")


def test_money_parses_people_text():
    assert Money.of("$1,200.50").amount == Decimal("1200.50")


def test_round_half_up_at_the_half_cent():
    assert round_half_up(Decimal("0.005")) == Decimal("0.01")
    assert round_half_up(Decimal("0.0049999")) == Decimal("0.00")
    assert round_half_up(Decimal("-0.005")) == Decimal("-0.01")
    assert Money.of("2.675").round_cents() == Money.of("2.68")


def test_money_does_not_mix_with_numbers():
    with pytest.raises(MoneyError):
        Money.of(1) + Decimal(1)  # type: ignore[operator]
    with pytest.raises(MoneyError):
        Money.of(1) * Money.of(2)  # type: ignore[operator]


def test_str_and_formatting():
    assert str(Money.of("12.5")) == "12.50"
    assert str(Money.of("0.082125")) == "0.082125"
    assert Money.of("-1234.5").formatted() == "-$1,234.50"


@given(st.lists(cents, max_size=40))
def test_sum_of_cents_is_exact_and_order_free(amounts):
    forward = total(amounts)
    assert forward == total(list(reversed(amounts)))
    assert forward == sum(amounts, Money.zero())
    assert forward.is_whole_cents
    assert isinstance(forward.amount, Decimal)


@given(cents, cents)
def test_addition_and_subtraction_invert(a, b):
    assert (a + b) - b == a
    assert abs(a) == abs(-a)
