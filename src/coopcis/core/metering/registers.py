"""Register arithmetic: how far a cumulative register advanced between two reads.

A register counts kWh on ``dials`` digits and starts again at zero after all nines, so a
6-dial register rolls over at 1,000,000 kWh. Reads are stored as Wh before the meter
multiplier (``RegisterRead.register_wh``); the energy billed is the advance times the
multiplier (CT/PT ratio).

Three cases when the register reads lower than before:

* **rollover**: the previous read was near the top of the dials and the current near zero,
  so going through zero is the short way round (the advance through zero is at most
  ``rollover_fraction`` of the dial range). The advance is computed through zero.
* **true-up**: the previous read was an *estimate*. The register difference is the
  correction of the estimate and may be negative (a credit); it is taken the short way round
  the dials, so an estimate that rolled the register over and an actual read that did not
  still true up exactly (DOMAIN.md "Bills and payment": estimate, then the next actual read
  settles it).
* **went backwards**: anything else, an impossible advance the validation queues for staff.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

WH_PER_KWH = 1000
DEFAULT_ROLLOVER_FRACTION = Decimal("0.1")


def register_modulus_wh(dials: int) -> int:
    """The register value, in Wh, at which a ``dials``-digit kWh register reads zero again."""
    if dials < 1:
        raise ValueError(f"a register has at least one dial, not {dials}")
    modulus: int = 10**dials * WH_PER_KWH
    return modulus


@dataclass(frozen=True, slots=True)
class RegisterAdvance:
    """The register's advance between two reads and the energy it means.

    ``register_wh`` is before the multiplier and ``energy_wh`` after it; both are negative
    only for a true-up credit or a register that went backwards.
    """

    register_wh: int
    energy_wh: int
    rolled_over: bool = False
    went_backwards: bool = False
    trued_up: bool = False


def register_advance(
    *,
    previous_wh: int,
    current_wh: int,
    dials: int,
    multiplier: int = 1,
    previous_is_estimate: bool = False,
    rollover_fraction: Decimal = DEFAULT_ROLLOVER_FRACTION,
) -> RegisterAdvance:
    """How far the register moved from ``previous_wh`` to ``current_wh`` (see module doc)."""
    modulus = register_modulus_wh(dials)
    for value in (previous_wh, current_wh):
        if not 0 <= value < modulus:
            raise ValueError(f"register value {value} Wh does not fit on {dials} dials")
    if multiplier < 1:
        raise ValueError(f"a meter multiplier is at least 1, not {multiplier}")
    if previous_is_estimate:
        # The short way round the dials: within half the range either way.
        half = modulus // 2
        advance = (current_wh - previous_wh + half) % modulus - half
        return RegisterAdvance(advance, advance * multiplier, trued_up=True)
    if current_wh >= previous_wh:
        advance = current_wh - previous_wh
        return RegisterAdvance(advance, advance * multiplier)
    through_zero = modulus - previous_wh + current_wh
    if Decimal(through_zero) <= Decimal(modulus) * rollover_fraction:
        return RegisterAdvance(through_zero, through_zero * multiplier, rolled_over=True)
    advance = current_wh - previous_wh
    return RegisterAdvance(advance, advance * multiplier, went_backwards=True)


def register_after(*, previous_wh: int, energy_wh: int, multiplier: int, dials: int) -> int:
    """The register an estimate of ``energy_wh`` (after the multiplier) would leave.

    The advance is ``energy_wh / multiplier`` rounded half up to the Wh, the register wraps
    at the top of its dials; the energy billed is then ``advance x multiplier``, so what the
    member is billed always matches the register the bill prints.
    """
    if energy_wh < 0:
        raise ValueError("an estimate of use cannot be negative")
    advance = int((Decimal(energy_wh) / Decimal(multiplier)).quantize(1, ROUND_HALF_UP))
    return (previous_wh + advance) % register_modulus_wh(dials)
