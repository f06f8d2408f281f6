"""Figures on the bills pages: a unit rate as the tariff writes it (``$0.1371``, not
rounded to the cent), a percent, an amount without its sign."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from coopcis.core.money import MoneyError, to_decimal

register = template.Library()


@register.filter
def unit_rate(value: Any) -> str:
    """``$0.1371`` / ``-$0.0042``: every decimal the tariff gives, at least two."""
    try:
        number = to_decimal(value)
    except MoneyError:
        return str(value)
    places = max(2, -number.normalize().as_tuple().exponent)  # type: ignore[operator]
    text = f"{abs(number):,.{places}f}"
    return f"-${text}" if number < 0 else f"${text}"


@register.filter
def magnitude(value: Any) -> Decimal:
    """The size of a change, without its sign (the sentence says more or less)."""
    amount = getattr(value, "amount", value)
    return abs(to_decimal(amount))


@register.filter
def percent(value: Any) -> str:
    """``6.875`` -> ``6.875%``."""
    return f"{to_decimal(value).normalize():f}%"
