"""The one parser for amounts typed by people and machines (forms, CLI, API, files)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coopcis.core.errors import RuleViolation
from coopcis.core.money import LARGEST_AMOUNT, AmountError, Money, parse_amount


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("54.20", "54.20"),
        ("54.2", "54.20"),
        ("54", "54.00"),
        ("54.", "54.00"),
        (".50", "0.50"),
        ("  7.05 ", "7.05"),
        ("0", "0.00"),
        ("9999999999.99", "9999999999.99"),
    ],
)
def test_plain_amounts_parse_exactly(text, expected):
    assert parse_amount(text, field="amount") == Money.of(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1e3", "without an exponent"),
        ("1E+2", "without an exponent"),
        ("1e309", "without an exponent"),
        ("2.5e-1", "without an exponent"),
        ("١٢", "use the digits 0-9"),
        ("\uff11\uff12", "use the digits 0-9"),  # fullwidth 12
        ("10.001", "at most two decimals"),
        ("1.005", "at most two decimals"),
        ("10000000000.00", "more than the most this takes ($9,999,999,999.99)"),
        ("1,234.56", "no thousands separators"),
        ("-5.00", "must not be negative"),
        ("+5.00", "no sign here"),
        ("NaN", "not an amount"),
        ("Infinity", "not an amount"),
        ("-inf", "not an amount"),
        ("$5", "not an amount"),
        ("5 00", "not an amount"),
        ("0x10", "not an amount"),
        ("1_000", "not an amount"),
        ("", "required"),
        ("   ", "required"),
        ("9" * 500, "too long to be a number"),
    ],
)
def test_refused_with_the_field_named(text, message):
    with pytest.raises(
        AmountError, match=message.replace("$", r"\$").replace("(", r"\(").replace(")", r"\)")
    ) as refused:
        parse_amount(text, field="amount")
    assert refused.value.field == "amount"
    assert isinstance(refused.value, RuleViolation)
    assert str(refused.value).startswith("amount: ")


@pytest.mark.parametrize("value", [54.2, 54, Decimal("54.20"), None, True, ["1"]])
def test_only_text_is_parsed(value):
    with pytest.raises(AmountError, match="must be text") as refused:
        parse_amount(value, field="opening_cash")
    assert refused.value.field == "opening_cash"


def test_a_credit_takes_a_sign_where_allowed():
    assert parse_amount("-10.00", field="adjustment", allow_negative=True) == Money.of("-10")
    assert parse_amount("+10.00", field="adjustment", allow_negative=True) == Money.of("10")


def test_forms_take_thousands_separators_and_a_dollar_sign():
    assert parse_amount("1,234.56", field="a", allow_grouping=True) == Money.of("1234.56")
    assert parse_amount("$1,234,567", field="a", allow_grouping=True) == Money.of("1234567")
    assert parse_amount("-$12.00", field="a", allow_grouping=True, allow_negative=True) == (
        Money.of("-12")
    )
    for text in ("1,23.45", "12,34", "1,2345.00", ",123", "1,,234"):
        with pytest.raises(AmountError, match="not an amount"):
            parse_amount(text, field="a", allow_grouping=True)


def test_a_lower_ceiling_is_named_in_the_refusal():
    ceiling = Money.of("500.00")
    assert parse_amount("500.00", field="amount", maximum=ceiling) == ceiling
    with pytest.raises(AmountError, match=r"more than the most this takes \(\$500.00\)"):
        parse_amount("500.01", field="amount", maximum=ceiling)
    with pytest.raises(AmountError, match=r"\$500.00"):
        parse_amount("-500.01", field="amount", maximum=ceiling, allow_negative=True)


cents = st.integers(min_value=-999_999_999_999, max_value=999_999_999_999)


@given(cents)
def test_every_amount_printed_reads_back_the_same(n):
    money = Money(Decimal(n) / 100)
    assert parse_amount(str(money), field="a", allow_negative=True) == money
    grouped = money.formatted()
    assert parse_amount(grouped, field="a", allow_negative=True, allow_grouping=True) == money


@given(st.text(max_size=30))
def test_any_text_is_money_in_whole_cents_within_bounds_or_refused(text):
    try:
        money = parse_amount(text, field="a", allow_negative=True, allow_grouping=True)
    except AmountError as refused:
        assert refused.field == "a"
    else:
        assert money.is_whole_cents and abs(money) <= LARGEST_AMOUNT
        assert all(c.isascii() for c in text.strip())
        assert "e" not in text.lower()


def test_the_most_specific_ceiling_applies():
    from coopcis.core.payments.ceilings import ceiling_for, read_ceilings

    ceilings = read_ceilings({"KIOSK": "5000.00", "KIOSK.CASH": "2000.00", "default": "100.00"})

    assert ceiling_for(ceilings, channel="KIOSK", tender="CASH") == Money.of("2000.00")
    assert ceiling_for(ceilings, channel="KIOSK", tender="CARD") == Money.of("5000.00")
    assert ceiling_for(ceilings, channel="MAIL", tender="CHECK") == Money.of("100.00")
    assert ceiling_for({}, channel="MAIL", tender="CHECK") == LARGEST_AMOUNT
    with pytest.raises(AmountError, match=r"payment_ceilings\.IVR: write the amount in full"):
        read_ceilings({"IVR": "1e4"})
