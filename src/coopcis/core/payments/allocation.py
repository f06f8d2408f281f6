"""Applying a payment to what the member owes (issue: application rules).

Oldest charges first; charges due the same day in the co-op's order of categories
(electric charges, fees, deposits billed, loan installments: a profile parameter), or,
when the co-op chooses ``oldest_first=False``, category by category in that order and
oldest first within each. What is left over is a credit balance on the account.

Loan installments come after everything else (SEC policy 424, docs/domain/loans.md): a
payment reaches an installment only once every electric charge, fee and deposit billed
that is open has been paid, whatever their due dates, so a member paying part of what
they owe keeps the lights on first. The categories treated so are ``last`` (a parameter,
``LOAN`` by default), oldest first among themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from coopcis.core.money import Money

ELECTRIC, FEE, DEPOSIT, LOAN = "ELECTRIC", "FEE", "DEPOSIT", "LOAN"
DEFAULT_ORDER = (ELECTRIC, FEE, DEPOSIT, LOAN)
#: Categories a payment reaches only after every other open item (SEC policy 424).
PAID_LAST = (LOAN,)


@dataclass(frozen=True, slots=True)
class OpenItem:
    """A charge with something still owed on it."""

    item_id: int
    category: str
    due_on: date
    open_amount: Money


@dataclass(frozen=True, slots=True)
class Allocation:
    item_id: int
    amount: Money


@dataclass(frozen=True, slots=True)
class AllocationResult:
    allocations: tuple[Allocation, ...]
    unapplied: Money


def application_order(
    items: Sequence[OpenItem],
    *,
    order: Sequence[str] = DEFAULT_ORDER,
    oldest_first: bool = True,
    last: Sequence[str] = PAID_LAST,
) -> list[OpenItem]:
    """The items in the order a payment pays them (the ``last`` categories after all)."""
    rank = {category: position for position, category in enumerate(order)}
    unknown = {item.category for item in items} - rank.keys()
    if unknown:
        raise ValueError(f"no application order for {', '.join(sorted(unknown))}")
    if oldest_first:
        key = lambda item: (  # noqa: E731
            item.category in last,
            item.due_on,
            rank[item.category],
            item.item_id,
        )
    else:
        key = lambda item: (  # noqa: E731
            item.category in last,
            rank[item.category],
            item.due_on,
            item.item_id,
        )
    return sorted(items, key=key)


def allocate(
    amount: Money,
    items: Sequence[OpenItem],
    *,
    order: Sequence[str] = DEFAULT_ORDER,
    oldest_first: bool = True,
    last: Sequence[str] = PAID_LAST,
) -> AllocationResult:
    """Spread ``amount`` over ``items``; the rest is unapplied (a credit balance)."""
    if amount.amount < 0:
        raise ValueError("a payment to apply cannot be negative")
    remaining = amount
    allocations: list[Allocation] = []
    for item in application_order(items, order=order, oldest_first=oldest_first, last=last):
        if not remaining:
            break
        if item.open_amount.amount <= 0:
            continue
        paid = item.open_amount if item.open_amount <= remaining else remaining
        allocations.append(Allocation(item.item_id, paid))
        remaining = remaining - paid
    return AllocationResult(tuple(allocations), remaining)
