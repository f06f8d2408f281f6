"""Green Button (NAESB ESPI) values to Wh, exactly.

An ESPI ``IntervalReading/value`` is an integer in the unit of its ``ReadingType``: ``uom``
(72 = Wh) times ``10 ** powerOfTenMultiplier``. Scaling is integer arithmetic (a positive
power) or ``Decimal`` (a negative one), never float; a value finer than a Wh is rounded half
up to the Wh, the one rounding of energy ADR 0001 allows (on input).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

UOM_WH = 72
FLOW_FORWARD = 1  # delivered to the member
FLOW_REVERSE = 19  # received from the member
ACCUMULATION_DELTA = 4  # each value is the energy of its own interval


class EspiUnitError(ValueError):
    """A reading type coopcis cannot turn into Wh."""


def scaled_wh(value: int, *, power_of_ten: int, uom: int = UOM_WH) -> int:
    """``value x 10**power_of_ten`` in Wh, rounded half up to the Wh when finer."""
    if uom != UOM_WH:
        raise EspiUnitError(f"unit of measure {uom} is not Wh (72)")
    if power_of_ten >= 0:
        scaled: int = value * 10**power_of_ten
        return scaled
    exact = Decimal(value).scaleb(power_of_ten)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
