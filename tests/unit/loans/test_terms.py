"""Aid-to-construction loan terms (SEC policy 424), figures from the policy's examples."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coopcis.core.errors import RuleViolation
from coopcis.core.loans.terms import level_payment, payoff_amount, quote_loan


def test_ten_thousand_is_sixty_payments_of_188_71_and_needs_the_board():
    quote = quote_loan(Decimal("10000.00"))
    assert (quote.months, quote.payment) == (60, Decimal("188.71"))
    assert quote.approval == "board"
    assert sum(row.principal for row in quote.schedule) == Decimal("10000.00")
    assert quote.schedule[-1].balance_after == Decimal("0.00")
    # 59 level payments and an adjusted final one repay principal plus interest exactly
    assert 59 * quote.payment + quote.final_payment == Decimal("10000.00") + quote.total_interest


def test_two_thousand_five_hundred_is_56_payments_of_50_15():
    quote = quote_loan(Decimal("2500.00"))
    # 60 months would be $47.18 and 57 months $49.36, below the $50 floor
    assert level_payment(Decimal("2500.00"), 57) == Decimal("49.36")
    assert (quote.months, quote.payment) == (56, Decimal("50.15"))
    assert quote.final_payment != quote.payment and quote.final_payment > 0
    assert quote.approval == "general_manager"
    assert quote.as_json()["final_payment"] == str(quote.final_payment)


def test_five_thousand_exactly_is_the_general_managers():
    assert quote_loan(Decimal("5000.00")).approval == "general_manager"
    assert quote_loan(Decimal("5000.01")).approval == "board"


@pytest.mark.parametrize(
    ("amount", "aid", "message"),
    [
        ("499.99", None, "between \\$500.00 and \\$15,000.00"),
        ("15000.01", None, "between"),
        ("4000.00", "4999.99", "80% of the aid-to-construction"),
        ("100.005", None, "whole number of cents"),
    ],
)
def test_amounts_outside_the_policy_are_refused(amount, aid, message):
    with pytest.raises(RuleViolation, match=message) as refused:
        quote_loan(Decimal(amount), aid=Decimal(aid) if aid else None)
    assert refused.value.field == "amount"


def test_a_term_that_makes_the_payment_too_small_is_refused():
    with pytest.raises(RuleViolation, match="at most 56 months"):
        quote_loan(Decimal("2500.00"), months=60)
    with pytest.raises(RuleViolation, match="1 to 60 months"):
        quote_loan(Decimal("9000.00"), months=61)
    assert quote_loan(Decimal("2500.00"), months=24).months == 24


def test_payoff_adds_the_days_of_interest_since_the_last_installment():
    assert payoff_amount(
        Decimal("3650.00"), last_paid_on=date(2026, 3, 1), as_of=date(2026, 3, 21)
    ) == Decimal("3660.00")  # 3,650 x 5% x 20/365 = 10.00


@given(st.integers(min_value=50_000, max_value=1_500_000))
def test_every_loan_repays_exactly_with_no_payment_under_fifty(cents):
    quote = quote_loan(Decimal(cents) / 100)
    assert quote.schedule[-1].balance_after == 0
    assert all(row.payment >= Decimal("50.00") for row in quote.schedule[:-1])
    assert quote.months <= 60
    assert quote.total_interest == sum(row.interest for row in quote.schedule)
