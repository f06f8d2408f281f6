"""Numbers as the back office shows use: ``2,212.137`` kWh, registers as whole kWh.

(Money has its own filters; these are for energy and demand.)
"""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def plain_number(value: object) -> str:
    """``Decimal("2212.1370")`` -> ``"2,212.137"``: thousands separators, no needless
    trailing zeros; ``None`` -> ``"—"``."""
    if value is None or value == "":
        return "—"
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    normalized = number.normalize()
    if normalized == normalized.to_integral():
        return f"{normalized.to_integral():,f}"
    return f"{normalized:,f}"


@register.filter
def register_kwh(wh: object) -> str:
    """A register read in Wh as its dials show it: whole kWh, the fraction dropped
    (``380109244`` -> ``"380,109"``)."""
    if wh is None or wh == "":
        return "—"
    return f"{int(str(wh)) // 1000:,d}"


@register.filter
def kwh(wh: object) -> str:
    """Energy in Wh as kWh, exactly (``890856`` -> ``"890.856"``)."""
    if wh is None or wh == "":
        return "—"
    return plain_number(Decimal(int(str(wh))) / 1000)
