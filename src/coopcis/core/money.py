"""Money: US dollars held as ``Decimal``, built one way, never from a float.

Every amount the co-op bills, collects or books is a :class:`Money`. Rounding is
never implicit: arithmetic keeps full precision and callers round with
:meth:`Money.round_cents` (half up, the rule in ``docs/adr/0001-money.md``) at the
point their rule says so, e.g. once per bill line.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0")

NumberLike = Decimal | int | str


class MoneyError(ValueError):
    """A value that cannot be money (a float, garbage text, a currency mix)."""


def to_decimal(value: object) -> Decimal:
    """Return ``value`` as a finite Decimal; refuse floats, bools and garbage.

    Floats are refused because ``0.1`` is not one tenth; money and rates enter
    the system as text (files, forms) or as Decimal, never through binary
    floating point.
    """
    if isinstance(value, (bool, float)):
        raise MoneyError(f"refusing {type(value).__name__} {value!r}: use Decimal or a string")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip().replace(",", "").replace("$", ""))
        except InvalidOperation:
            raise MoneyError(f"not a number: {value!r}") from None
    else:
        raise MoneyError(f"refusing {type(value).__name__} {value!r}: use Decimal or a string")
    if not number.is_finite():
        raise MoneyError(f"not a finite number: {value!r}")
    return number


def round_half_up(value: Decimal, quantum: Decimal = CENT) -> Decimal:
    """Round ``value`` to ``quantum`` half up (0.005 -> 0.01, -0.005 -> -0.01)."""
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of US dollars. Immutable; compares and adds only with Money."""

    amount: Decimal
    currency: str = "USD"

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", to_decimal(self.amount))
        if self.currency != "USD":
            raise MoneyError(f"unsupported currency {self.currency!r}")

    @classmethod
    def of(cls, value: NumberLike) -> Money:
        """Build money from Decimal, int or text such as ``"12.34"`` or ``"$1,200.00"``."""
        return cls(to_decimal(value))

    @classmethod
    def zero(cls) -> Money:
        # one shared instance: Money is immutable, and sums start from zero very often
        return _ZERO_MONEY

    def round_cents(self) -> Money:
        """This amount rounded to the cent, half up."""
        return Money(round_half_up(self.amount))

    @property
    def is_whole_cents(self) -> bool:
        return self.amount == round_half_up(self.amount)

    def _other(self, other: object) -> Decimal:
        if not isinstance(other, Money):
            raise MoneyError(f"cannot combine Money with {type(other).__name__}")
        return other.amount

    def __add__(self, other: Money) -> Money:
        return Money(self.amount + self._other(other))

    def __radd__(self, other: object) -> Money:
        # lets sum() start from the int 0
        if isinstance(other, int) and not isinstance(other, bool) and other == 0:
            return self
        return Money(self._other(other) + self.amount)

    def __sub__(self, other: Money) -> Money:
        return Money(self.amount - self._other(other))

    def __neg__(self) -> Money:
        return Money(-self.amount)

    def __abs__(self) -> Money:
        return Money(abs(self.amount))

    def __mul__(self, factor: NumberLike) -> Money:
        if isinstance(factor, Money):
            raise MoneyError("cannot multiply Money by Money")
        return Money(self.amount * to_decimal(factor))

    __rmul__ = __mul__

    def __lt__(self, other: Money) -> bool:
        return self.amount < self._other(other)

    def __le__(self, other: Money) -> bool:
        return self.amount <= self._other(other)

    def __gt__(self, other: Money) -> bool:
        return self.amount > self._other(other)

    def __ge__(self, other: Money) -> bool:
        return self.amount >= self._other(other)

    def __bool__(self) -> bool:
        return self.amount != 0

    def __str__(self) -> str:
        """Two decimals, as a bill prints it (``-12.50``); exact if finer than cents."""
        if self.is_whole_cents:
            return f"{round_half_up(self.amount):f}"
        return f"{self.amount:f}"

    def formatted(self) -> str:
        """``$1,234.50`` / ``-$3.00`` for people."""
        sign = "-" if self.amount < 0 else ""
        return f"{sign}${abs(round_half_up(self.amount)):,.2f}"


_ZERO_MONEY = Money(ZERO)


def total(amounts: list[Money]) -> Money:
    """Sum a list of Money (zero for an empty list)."""
    result = Money.zero()
    for amount in amounts:
        result = result + amount
    return result
