"""Aid-to-construction loans: who approves, how long, how much a month (SEC policy 424).

A member may borrow up to 80% of the aid-to-construction they owe for a line extension,
never less than $500 nor more than $15,000, repaid in level monthly payments at 5% a year
(a monthly rate of 5%/12) over at most 60 months, no payment below $50. The term is the
longest, up to 60 months, whose level payment rounded half up to the cent is at least $50;
each month's interest is the balance times the monthly rate rounded half up to the cent,
and the final payment is whatever then remains (balance plus that month's interest), so it
absorbs the rounding. $10,000 is 60 payments of $188.71; $2,500 is 56 payments of $50.15
with an adjusted final one. A loan over $5,000 needs the board's approval, else the
general manager's.

The numbers are parameters (:class:`LoanTerms`) so a co-op's profile can state its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from coopcis.core.errors import RuleViolation
from coopcis.core.money import CENT, round_half_up

POLICY = "SEC policy 424"


@dataclass(frozen=True)
class LoanTerms:
    """The loan program's rules; the defaults are SEC policy 424's."""

    minimum: Decimal = Decimal("500.00")
    maximum: Decimal = Decimal("15000.00")
    share_of_aid: Decimal = Decimal("0.80")
    annual_rate: Decimal = Decimal("0.05")
    longest_months: int = 60
    smallest_payment: Decimal = Decimal("50.00")
    board_above: Decimal = Decimal("5000.00")

    @property
    def monthly_rate(self) -> Decimal:
        return self.annual_rate / 12


@dataclass(frozen=True)
class Installment:
    number: int
    payment: Decimal
    interest: Decimal
    principal: Decimal
    balance_after: Decimal


@dataclass(frozen=True)
class LoanQuote:
    amount: Decimal
    months: int
    payment: Decimal
    final_payment: Decimal
    total_interest: Decimal
    approval: str  # "general_manager" or "board"
    schedule: tuple[Installment, ...] = field(repr=False)

    def as_json(self) -> dict[str, object]:
        return {
            "amount": str(self.amount),
            "months": self.months,
            "payment": str(self.payment),
            "final_payment": str(self.final_payment),
            "total_interest": str(self.total_interest),
            "approval": self.approval,
        }


def level_payment(amount: Decimal, months: int, terms: LoanTerms = LoanTerms()) -> Decimal:
    """The level monthly payment that repays ``amount`` in ``months``, half up to the cent."""
    rate = terms.monthly_rate
    if rate == 0:
        return round_half_up(amount / months)
    return round_half_up(amount * rate / (1 - (1 + rate) ** -months))


def check_amount(
    amount: Decimal, *, aid: Decimal | None = None, terms: LoanTerms = LoanTerms()
) -> None:
    """Refuse an amount outside the program's limits, citing the policy."""
    if amount != amount.quantize(CENT):
        raise RuleViolation("a loan is a whole number of cents", field="amount")
    if amount < terms.minimum or amount > terms.maximum:
        raise RuleViolation(
            f"a loan is between ${terms.minimum:,} and ${terms.maximum:,} ({POLICY}), "
            f"not ${amount:,}",
            field="amount",
        )
    if aid is not None:
        ceiling = round_half_up(aid * terms.share_of_aid)
        if amount > ceiling:
            raise RuleViolation(
                f"a loan is at most {terms.share_of_aid:.0%} of the aid-to-construction "
                f"(${ceiling:,} of ${aid:,}; {POLICY})",
                field="amount",
            )


def longest_term(amount: Decimal, terms: LoanTerms = LoanTerms()) -> int:
    """The longest term up to the program's limit whose level payment is at least the
    smallest payment allowed."""
    for months in range(terms.longest_months, 0, -1):
        if level_payment(amount, months, terms) >= terms.smallest_payment:
            return months
    return 1


def amortize(
    amount: Decimal, months: int, payment: Decimal, terms: LoanTerms = LoanTerms()
) -> tuple[Installment, ...]:
    """Month by month: interest half up to the cent on the balance; the final payment is
    the balance plus its interest."""
    balance = amount
    rows = []
    for number in range(1, months + 1):
        interest = round_half_up(balance * terms.monthly_rate)
        due = payment if number < months else balance + interest
        due = min(due, balance + interest)
        principal = due - interest
        balance -= principal
        rows.append(Installment(number, due, interest, principal, balance))
    return tuple(rows)


def quote_loan(
    amount: Decimal,
    *,
    months: int | None = None,
    aid: Decimal | None = None,
    terms: LoanTerms = LoanTerms(),
) -> LoanQuote:
    """The loan's term, payment, final payment, interest and who approves it."""
    check_amount(amount, aid=aid, terms=terms)
    longest = longest_term(amount, terms)
    if months is None:
        months = longest
    elif not 1 <= months <= terms.longest_months:
        raise RuleViolation(
            f"a loan is repaid in 1 to {terms.longest_months} months ({POLICY})", field="months"
        )
    elif level_payment(amount, months, terms) < terms.smallest_payment:
        raise RuleViolation(
            f"over {months} months the payment would be "
            f"${level_payment(amount, months, terms)}, below the ${terms.smallest_payment} "
            f"smallest payment ({POLICY}); at most {longest} months",
            field="months",
        )
    payment = level_payment(amount, months, terms)
    schedule = amortize(amount, months, payment, terms)
    return LoanQuote(
        amount=amount,
        months=months,
        payment=payment,
        final_payment=schedule[-1].payment,
        total_interest=sum((row.interest for row in schedule), Decimal("0.00")),
        approval="board" if amount > terms.board_above else "general_manager",
        schedule=schedule,
    )


def payoff_amount(
    balance: Decimal, *, last_paid_on: date, as_of: date, terms: LoanTerms = LoanTerms()
) -> Decimal:
    """What pays the loan off on ``as_of``: the balance plus interest accrued since the
    last installment, by days (actual/365), half up to the cent."""
    if as_of < last_paid_on:
        raise RuleViolation("a payoff date before the last installment", field="as_of")
    days = (as_of - last_paid_on).days
    return balance + round_half_up(balance * terms.annual_rate * days / 365)
