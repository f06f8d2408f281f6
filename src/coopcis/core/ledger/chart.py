"""The chart of accounts (RUS Uniform System of Accounts, 7 CFR 1767), as data."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum


class AccountKind(StrEnum):
    ASSET = "ASSET"
    LIABILITY = "LIABILITY"
    EQUITY = "EQUITY"
    REVENUE = "REVENUE"
    EXPENSE = "EXPENSE"

    @property
    def debit_normal(self) -> bool:
        """Assets and expenses grow with debits; the rest with credits."""
        return self in (AccountKind.ASSET, AccountKind.EXPENSE)


class ChartError(ValueError):
    """A malformed chart or an account number the chart does not have."""


@dataclass(frozen=True, slots=True)
class GLAccount:
    """One general-ledger account, e.g. 142.1 customer accounts receivable - electric.

    ``member_subledger`` accounts carry a member account on every line, so each member's
    balance is the sum of their lines and the members add up to the control account.
    """

    number: str
    name: str
    kind: AccountKind
    member_subledger: bool = False


@dataclass(frozen=True, slots=True)
class Chart:
    accounts: Mapping[str, GLAccount]

    def __getitem__(self, number: str) -> GLAccount:
        try:
            return self.accounts[number]
        except KeyError:
            raise ChartError(f"no account {number} in the chart of accounts") from None

    def __contains__(self, number: object) -> bool:
        return number in self.accounts

    def __iter__(self) -> Iterator[GLAccount]:
        return iter(sorted(self.accounts.values(), key=lambda account: account.number))


def parse_chart(data: Mapping[str, object]) -> Chart:
    """Build the chart from its data file's contents (``catalog/chart/rus.toml``)."""
    rows = data.get("accounts")
    if not isinstance(rows, list) or not rows:
        raise ChartError("the chart needs a list of accounts")
    accounts: dict[str, GLAccount] = {}
    for row in rows:
        try:
            account = GLAccount(
                number=str(row["number"]),
                name=str(row["name"]),
                kind=AccountKind(row["kind"]),
                member_subledger=bool(row.get("member_subledger", False)),
            )
        except (KeyError, ValueError, TypeError) as error:
            raise ChartError(f"malformed chart account {row!r}: {error}") from None
        if account.number in accounts:
            raise ChartError(f"account {account.number} appears twice")
        accounts[account.number] = account
    return Chart(accounts)
