"""Journal entries: balanced, whole cents, each line one side, booked to known accounts.

``entry_problems`` returns every problem as text (an empty list means the entry may be
posted), in the manner of beancount's validation: the caller decides what to do.
Posted entries are never changed; a correction is a reversing entry (``reversal_of``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from coopcis.core.ledger.chart import Chart
from coopcis.core.money import Money, total


@dataclass(frozen=True, slots=True)
class JournalLine:
    """One side of an entry: a debit or a credit to a GL account (and member account)."""

    account_number: str
    debit: Money = field(default_factory=Money.zero)
    credit: Money = field(default_factory=Money.zero)
    member_account: str | None = None
    memo: str = ""

    @property
    def net(self) -> Money:
        """Debit minus credit."""
        return self.debit - self.credit


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """A dated set of lines whose debits equal their credits."""

    posted_on: date
    memo: str
    lines: tuple[JournalLine, ...]
    source: str = ""

    @property
    def total_debit(self) -> Money:
        return total([line.debit for line in self.lines])

    @property
    def total_credit(self) -> Money:
        return total([line.credit for line in self.lines])


def debit(
    account_number: str, amount: Money, *, member_account: str | None = None, memo: str = ""
) -> JournalLine:
    """A debit line (a negative amount becomes a credit of its absolute value)."""
    if amount.amount < 0:
        return JournalLine(account_number, credit=-amount, member_account=member_account, memo=memo)
    return JournalLine(account_number, debit=amount, member_account=member_account, memo=memo)


def credit(
    account_number: str, amount: Money, *, member_account: str | None = None, memo: str = ""
) -> JournalLine:
    """A credit line (a negative amount becomes a debit of its absolute value)."""
    if amount.amount < 0:
        return JournalLine(account_number, debit=-amount, member_account=member_account, memo=memo)
    return JournalLine(account_number, credit=amount, member_account=member_account, memo=memo)


def _line_problems(number: int, line: JournalLine, chart: Chart) -> list[str]:
    problems: list[str] = []
    where = f"line {number} ({line.account_number})"
    if line.account_number not in chart:
        problems.append(f"{where}: no such account in the chart")
    elif chart[line.account_number].member_subledger and not line.member_account:
        problems.append(f"{where}: a receivable line must name the member account")
    if line.debit.amount < 0 or line.credit.amount < 0:
        problems.append(f"{where}: amounts must not be negative")
    if line.debit and line.credit:
        problems.append(f"{where}: a line is either a debit or a credit")
    if not line.debit and not line.credit:
        problems.append(f"{where}: a line needs an amount")
    if not (line.debit.is_whole_cents and line.credit.is_whole_cents):
        problems.append(f"{where}: amounts must be whole cents")
    return problems


def entry_problems(entry: JournalEntry, chart: Chart) -> list[str]:
    """Everything that stops ``entry`` from being posted (empty when it balances)."""
    problems: list[str] = []
    if len(entry.lines) < 2:
        problems.append("an entry needs at least two lines")
    for number, line in enumerate(entry.lines, start=1):
        problems.extend(_line_problems(number, line, chart))
    if entry.total_debit != entry.total_credit:
        problems.append(f"debits {entry.total_debit} do not equal credits {entry.total_credit}")
    return problems


def reversal_of(entry: JournalEntry, *, posted_on: date, memo: str) -> JournalEntry:
    """The entry that undoes ``entry``: every debit becomes a credit and vice versa."""
    return JournalEntry(
        posted_on=posted_on,
        memo=memo,
        source=entry.source,
        lines=tuple(
            JournalLine(
                account_number=line.account_number,
                debit=line.credit,
                credit=line.debit,
                member_account=line.member_account,
                memo=line.memo,
            )
            for line in entry.lines
        ),
    )


def balances(entries: Sequence[JournalEntry]) -> dict[str, Money]:
    """Net debit balance of each GL account over ``entries``."""
    result: dict[str, Money] = {}
    for entry in entries:
        for line in entry.lines:
            result[line.account_number] = result.get(line.account_number, Money.zero()) + line.net
    return result
