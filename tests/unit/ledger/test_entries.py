from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from coopcis.catalog.chart import load_chart
from coopcis.core.ledger.entries import (
    JournalEntry,
    JournalLine,
    balances,
    credit,
    debit,
    entry_problems,
    reversal_of,
)
from coopcis.core.money import Money

CHART = load_chart()
positive_cents = st.integers(min_value=1, max_value=10**9).map(lambda n: Money(Decimal(n) / 100))


def bill(amounts: list[Money]) -> JournalEntry:
    """A bill: one receivable debit for the total, a revenue credit per line."""
    total = sum(amounts, Money.zero())
    return JournalEntry(
        posted_on=date(2026, 2, 10),
        memo="bill",
        lines=(
            debit("142.1", total, member_account="1000001"),
            *tuple(credit("440.1", amount, member_account="1000001") for amount in amounts),
        ),
    )


@given(st.lists(positive_cents, min_size=1, max_size=12))
def test_balanced_bills_post_and_reversals_cancel(amounts):
    entry = bill(amounts)
    assert entry_problems(entry, CHART) == []
    undone = reversal_of(entry, posted_on=date(2026, 3, 1), memo="cancel")
    assert entry_problems(undone, CHART) == []
    net = balances([entry, undone])
    assert all(amount == Money.zero() for amount in net.values())


@given(st.lists(positive_cents, min_size=1, max_size=12), positive_cents)
def test_any_imbalance_is_caught(amounts, extra):
    entry = bill(amounts)
    unbalanced = JournalEntry(
        posted_on=entry.posted_on, memo="x", lines=(*entry.lines, debit("131", extra))
    )
    assert any("do not equal" in problem for problem in entry_problems(unbalanced, CHART))


def test_each_problem_is_named():
    entry = JournalEntry(
        posted_on=date(2026, 1, 1),
        memo="bad",
        lines=(
            JournalLine("999", debit=Money.of("1.00")),
            JournalLine("142.1", debit=Money.of("1.005")),
            JournalLine("440.1", debit=Money.of("1"), credit=Money.of("1")),
        ),
    )
    problems = entry_problems(entry, CHART)
    assert "line 1 (999): no such account in the chart" in problems
    assert "line 2 (142.1): a receivable line must name the member account" in problems
    assert "line 2 (142.1): amounts must be whole cents" in problems
    assert "line 3 (440.1): a line is either a debit or a credit" in problems
    assert (
        entry_problems(JournalEntry(date(2026, 1, 1), "one", (debit("131", Money.of(1)),)), CHART)[
            0
        ]
        == "an entry needs at least two lines"
    )


def test_negative_amounts_flip_sides():
    assert credit("131", Money.of("-5")).debit == Money.of("5")
    assert debit("131", Money.of("-5")).credit == Money.of("5")
