"""The stub's scan line: what is printed reads back, and a misread is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coopcis.core.billing.scan_line import (
    SCAN_LINE_DIGITS,
    ScanLine,
    ScanLineError,
    luhn_check_digit,
    make_scan_line,
    read_scan_line,
)
from coopcis.core.money import Money

account_numbers = st.integers(min_value=1, max_value=10**12 - 1).map(str)
bill_numbers = st.builds(
    lambda year, month, pk: f"{year:04d}{month:02d}-{pk:08d}",
    st.integers(2000, 2099),
    st.integers(1, 12),
    st.integers(1, 10**8 - 1),
)
amounts = st.integers(min_value=0, max_value=10**10 - 1).map(
    lambda cents: Money(Decimal(cents).scaleb(-2))
)


def test_the_layout_is_account_bill_cents_and_a_luhn_check_digit():
    line = make_scan_line(
        account_number="3100417", bill_number="202603-00000012", amount_due=Money.of("169.74")
    )

    assert line == "000003100417 20260300000012 0000016974 9"
    assert luhn_check_digit("000003100417202603000000120000016974") == 9


def test_luhn_matches_the_textbook_example():
    assert luhn_check_digit("7992739871") == 3


@given(account_numbers, bill_numbers, amounts)
def test_round_trip(account, bill, amount):
    line = make_scan_line(account_number=account, bill_number=bill, amount_due=amount)

    assert read_scan_line(line) == ScanLine(account, bill, amount)
    assert len(line.replace(" ", "")) == SCAN_LINE_DIGITS


@given(account_numbers, bill_numbers, amounts, st.data())
def test_any_single_digit_misread_is_refused(account, bill, amount, data):
    line = make_scan_line(account_number=account, bill_number=bill, amount_due=amount)
    positions = [index for index, character in enumerate(line) if character.isdigit()]
    position = data.draw(st.sampled_from(positions))
    wrong = data.draw(st.sampled_from([d for d in "0123456789" if d != line[position]]))
    misread = line[:position] + wrong + line[position + 1 :]

    with pytest.raises(ScanLineError, match="check digit"):
        read_scan_line(misread)


@given(account_numbers, bill_numbers, amounts, st.data())
def test_swapping_two_adjacent_different_digits_is_refused_unless_09(account, bill, amount, data):
    digits = make_scan_line(account_number=account, bill_number=bill, amount_due=amount).replace(
        " ", ""
    )
    swappable = [
        index
        for index in range(len(digits) - 1)
        if digits[index] != digits[index + 1] and {digits[index], digits[index + 1]} != {"0", "9"}
    ]
    if not swappable:
        return
    index = data.draw(st.sampled_from(swappable))
    swapped = digits[:index] + digits[index + 1] + digits[index] + digits[index + 2 :]

    with pytest.raises(ScanLineError):
        read_scan_line(swapped)


def test_whitespace_is_ignored_when_reading():
    line = make_scan_line(
        account_number="42", bill_number="202601-00000001", amount_due=Money.of("0.00")
    )

    assert read_scan_line(f"  {line.replace(' ', '')}\n").account_number == "42"


@pytest.mark.parametrize(
    "text",
    ["", "000003100417 20260300000012 0000016974", "000003100417 2026030000001X 0000016974 9",
     "000003100417 20260300000012 0000016974 9 1"],
)  # fmt: skip
def test_wrong_length_or_letters_are_refused(text):
    with pytest.raises(ScanLineError, match="37 digits"):
        read_scan_line(text)


@pytest.mark.parametrize(
    ("account", "bill", "amount", "message"),
    [
        ("0310", "202603-00000012", "1.00", "leading zero"),
        ("A-17", "202603-00000012", "1.00", "1-12 digits"),
        ("1234567890123", "202603-00000012", "1.00", "1-12 digits"),
        ("3100417", "2026-03-12", "1.00", "YYYYMM-NNNNNNNN"),
        ("3100417", "202603-00000012", "-0.01", "outside"),
        ("3100417", "202603-00000012", "100000000.00", "outside"),
        ("3100417", "202603-00000012", "1.005", "whole cents"),
    ],
)
def test_what_cannot_be_printed_is_refused(account, bill, amount, message):
    with pytest.raises(ScanLineError, match=message):
        make_scan_line(account_number=account, bill_number=bill, amount_due=Money.of(amount))
