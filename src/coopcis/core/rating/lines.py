"""Bill lines and the rated bill: what the engine returns.

Rule (ADR 0001, issue "rating engine"): quantities are never rounded before
pricing; each line's amount is rounded to the cent, half up; the total is the sum
of the rounded lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from coopcis.core.money import Money, to_decimal, total
from coopcis.core.periods import Period


@dataclass(frozen=True, slots=True)
class BillLine:
    """One priced line: ``quantity`` ``unit`` at ``rate`` gives ``amount`` (cents).

    ``source`` cites the tariff clause and seed the charge comes from.
    """

    code: str
    description: str
    quantity: Decimal
    unit: str
    rate: Decimal
    amount: Money
    source: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "quantity", to_decimal(self.quantity))
        object.__setattr__(self, "rate", to_decimal(self.rate))
        if not isinstance(self.amount, Money):
            raise TypeError(f"line {self.code}: amount must be Money")
        if not self.amount.is_whole_cents:
            raise ValueError(
                f"line {self.code}: amount {self.amount.amount} is not rounded to cents"
            )


@dataclass(frozen=True, slots=True)
class RatedBill:
    """A priced bill for one billing period: its lines and their total."""

    tariff_code: str
    period: Period
    lines: tuple[BillLine, ...]
    total: Money

    def __post_init__(self) -> None:
        if self.total != total([line.amount for line in self.lines]):
            raise ValueError("a bill's total must be the sum of its lines")

    def line(self, code: str) -> BillLine:
        """The single line with ``code`` (KeyError if absent or repeated)."""
        found = [line for line in self.lines if line.code == code]
        if len(found) != 1:
            raise KeyError(f"{len(found)} lines with code {code!r}")
        return found[0]
