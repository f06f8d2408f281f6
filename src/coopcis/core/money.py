"""Money: US dollars held as ``Decimal``, built one way, never from a float.

Every amount the co-op bills, collects or books is a :class:`Money`. Rounding is
never implicit: arithmetic keeps full precision and callers round with
:meth:`Money.round_cents` (half up, the rule in ``docs/adr/0001-money.md``) at the
point their rule says so, e.g. once per bill line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from coopcis.core.errors import RuleViolation

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

#: The largest amount any column for booked money holds (``max_digits=12, decimal_places=2``):
#: no amount typed anywhere may exceed it, whatever ceiling a channel sets.
LARGEST_AMOUNT = Money(Decimal("9999999999.99"))

# ASCII digits only ([0-9], never \d, which also matches Arabic-Indic and other digits).
_PLAIN = re.compile(r"(?P<sign>[-+]?)(?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_GROUPED = re.compile(r"(?P<sign>[-+]?)(?P<number>[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?)")
_LONGEST_TEXT = 40


class AmountError(RuleViolation):
    """Text that is not an amount of money this field takes; ``field`` names the input."""


def parse_amount(
    text: object,
    *,
    field: str,
    allow_negative: bool = False,
    allow_grouping: bool = False,
    maximum: Money = LARGEST_AMOUNT,
) -> Money:
    """The one reading of an amount that a person or a machine typed (forms, CLI, API, files).

    Accepted: ASCII digits with at most two decimals (``54.20``, ``54.2``, ``54``, ``.50``);
    ``-`` only where a credit is allowed (``allow_negative``); thousands separators
    (``1,234.56``) and a leading ``$`` only where people type (``allow_grouping``: forms).
    Refused, naming ``field``: exponents (``1e3``), non-ASCII digits (``١٢``), infinities and
    NaN, more than two decimals (``10.001``: the input is never rounded, a cent is the
    smallest amount the co-op books), and anything above ``maximum`` in size. Nothing is
    rounded, so the Money returned is exactly what was typed.
    """
    number = _parse_number(
        text, field=field, places=2, allow_grouping=allow_grouping, allow_sign=allow_negative
    )
    if abs(number) > maximum.amount:
        raise AmountError(f"more than the most this takes ({maximum.formatted()})", field=field)
    return Money(number)


def parse_decimal(text: object, *, field: str, places: int, largest: Decimal) -> Decimal:
    """A plain decimal number typed by a person or machine (a latitude, a kW figure), by the
    rules of :func:`parse_amount`: ASCII digits, a sign, at most ``places`` decimals, no
    exponent, no separators, at most ``largest`` in size."""
    number = _parse_number(text, field=field, places=places, allow_grouping=False, allow_sign=True)
    if abs(number) > largest:
        raise AmountError(f"at most {largest} in size", field=field)
    return number


def _parse_number(
    text: object, *, field: str, places: int, allow_grouping: bool, allow_sign: bool
) -> Decimal:
    if not isinstance(text, str):
        raise AmountError(f"must be text, not {type(text).__name__}", field=field)
    cleaned = text.strip()
    if not cleaned:
        raise AmountError("required: a number such as 54.20", field=field)
    if len(cleaned) > _LONGEST_TEXT:
        raise AmountError(f"too long to be a number: {cleaned[:20] + '...'!r}", field=field)
    shown = cleaned
    if allow_grouping:
        cleaned = re.sub(r"^([-+]?)\$", r"\1", cleaned)
    match = _PLAIN.fullmatch(cleaned) or (allow_grouping and _GROUPED.fullmatch(cleaned))
    if not match:
        raise AmountError(_why_not(cleaned, shown, allow_grouping), field=field)
    if match["sign"] and not allow_sign:
        problem = "must not be negative" if match["sign"] == "-" else "no sign here"
        raise AmountError(f"{problem}: {shown!r}", field=field)
    digits = match["number"].replace(",", "")
    if "." in digits and len(digits.split(".")[1]) > places:
        what = "at most two decimals (whole cents)" if places == 2 else f"at most {places} decimals"
        raise AmountError(f"{what}: {shown!r}", field=field)
    number = Decimal(digits.rstrip(".") or "0")
    return -number if match["sign"] == "-" else number


def _why_not(cleaned: str, shown: str, allow_grouping: bool) -> str:
    """The plainest reason the text is not an amount, for the person who typed it."""
    if any(character.isdigit() and not character.isascii() for character in cleaned):
        return f"use the digits 0-9: {shown!r}"
    if re.search(r"[0-9.][eE][-+]?[0-9]", cleaned):
        return f"write the amount in full, without an exponent: {shown!r}"
    if "," in cleaned and not allow_grouping:
        return f"no thousands separators: {shown!r}"
    return f"not an amount: {shown!r}"


def total(amounts: list[Money]) -> Money:
    """Sum a list of Money (zero for an empty list)."""
    result = Money.zero()
    for amount in amounts:
        result = result + amount
    return result
