"""How a bill is booked (RUS Uniform System of Accounts; DOMAIN.md "Accounting").

Debit the member's receivable (142.1) for the bill's total; credit electric revenue by
class (440.1 residential, 442.1 small commercial and industrial up to 1,000 kVA, 442.2
large over 1,000 kVA, 444 street and highway lighting), the Renewable Energy and
Conservation Fee to its own liability (242.1, 17.9.572 NMAC dedicated fund), and taxes
to tax collections payable (241). Every line carries the member account, so revenue can be
reported by rate class. A negative amount flips to the other side.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from coopcis.core.ledger.entries import JournalEntry, credit, debit
from coopcis.core.money import Money, total

RECEIVABLE = "142.1"
RENEWABLE_FEE_LIABILITY = "242.1"
TAX_PAYABLE = "241"

REVENUE_BY_CLASS = {
    "RESIDENTIAL": "440.1",
    "SMALL_COMMERCIAL": "442.1",
    "IRRIGATION": "442.1",
    "LARGE_COMMERCIAL": "442.1",
    "LIGHTING": "444",
}
LARGE_POWER_REVENUE = "442.2"
LARGE_POWER_KVA = 1000


def revenue_account(*, rate_class: str, contract_kw: Decimal | None, tariff_rate_class: str) -> str:
    """The RUS revenue account for a bill: large C&I when over 1,000 kVA (Rate 19 loads)."""
    if tariff_rate_class == "load_management" or (contract_kw or 0) > LARGE_POWER_KVA:
        return LARGE_POWER_REVENUE
    try:
        return REVENUE_BY_CLASS[rate_class]
    except KeyError:
        raise ValueError(f"no revenue account for rate class {rate_class!r}") from None


def line_account(code: str, revenue: str) -> str:
    """The account a bill line is credited to, by its code."""
    if code.startswith("renewable"):
        return RENEWABLE_FEE_LIABILITY
    if code.startswith("tax"):
        return TAX_PAYABLE
    return revenue


def bill_entry(
    *,
    member_account: str,
    memo: str,
    posted_on: date,
    lines: Sequence[tuple[str, Money]],
    revenue: str,
) -> JournalEntry:
    """The journal entry for a bill whose lines are ``(code, amount)``."""
    by_account: dict[str, Money] = {}
    for code, amount in lines:
        account = line_account(code, revenue)
        by_account[account] = by_account.get(account, Money.zero()) + amount
    bill_total = total([amount for _, amount in lines])
    credits = tuple(
        credit(account, amount, member_account=member_account)
        for account, amount in sorted(by_account.items())
        if amount
    )
    return JournalEntry(
        posted_on=posted_on,
        memo=memo,
        lines=(debit(RECEIVABLE, bill_total, member_account=member_account), *credits),
        source="bill",
    )
