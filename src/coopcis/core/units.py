"""Units: energy is integer watt-hours in storage and Decimal kWh on bills.

Meters report watt-hours; storing integers means sums are exact and no read is
ever rounded by arithmetic. Conversion to kWh is exact (``Decimal(wh) / 1000``).
Conversion back from kWh to Wh rounds half up to the watt-hour, the only place a
quantity of energy is ever rounded, and only on input (a file giving 1.2345 kWh).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from coopcis.core.money import to_decimal

WH_PER_KWH = 1000
THOUSAND = Decimal(1000)


def wh_to_kwh(energy_wh: int) -> Decimal:
    """Exact kWh for an integer number of Wh."""
    if isinstance(energy_wh, bool) or not isinstance(energy_wh, int):
        raise TypeError(f"energy in Wh must be an int, got {type(energy_wh).__name__}")
    return Decimal(energy_wh) / THOUSAND


def kwh_to_wh(energy_kwh: object) -> int:
    """Wh for a kWh value given as Decimal, int or text; half up to the Wh."""
    value = to_decimal(energy_kwh) * THOUSAND
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def kw_from_interval(energy_wh: int, minutes: int) -> Decimal:
    """Average demand in kW over an interval: kWh x 60 / minutes."""
    if minutes <= 0:
        raise ValueError("interval length must be positive")
    return wh_to_kwh(energy_wh) * 60 / Decimal(minutes)


def format_kwh(energy_kwh: Decimal) -> str:
    """kWh as a member reads it: thousands separators, no needless decimals (``1,234``,
    ``12.5``, ``0.125``); exact, never rounded (the bill's figures are exact kWh)."""
    normalized = energy_kwh.normalize()
    if normalized == normalized.to_integral():
        return f"{normalized.to_integral():,f}"
    return f"{normalized:,f}"
