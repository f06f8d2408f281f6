"""Interconnection applications: which systems may sit behind the net meter, and the fee.

SEC policy 425, "SYSTEM REQUIREMENTS": only renewable systems may be connected to the
net meter; mechanical combustible generators and battery systems may not. "COST TO
MEMBERS": an application fee of $50.00 for any system up to 100 kW, and $50.00 plus $1
per kW for facilities greater than 100 kW (the co-op profile carries the numbers).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from coopcis.core.errors import RuleViolation
from coopcis.core.money import Money

POLICY = "SEC policy 425, system requirements"

#: Renewable system types that may be interconnected behind the net meter.
RENEWABLE_SYSTEMS = ("SOLAR", "WIND", "HYDRO", "GEOTHERMAL", "BIOMASS")
#: Systems the policy names as not allowed behind the net meter.
REFUSED_SYSTEMS = {
    "GENERATOR": "mechanical combustible generators",
    "COMBUSTION": "mechanical combustible generators",
    "DIESEL": "mechanical combustible generators",
    "GAS": "mechanical combustible generators",
    "BATTERY": "battery systems",
    "STORAGE": "battery systems",
}


@dataclass(frozen=True, slots=True)
class ApplicationFee:
    """The profile's fee rule: ``base`` up to ``threshold_kw``, plus ``per_kw`` above it."""

    base: Money
    per_kw: Money
    threshold_kw: Decimal


def check_system(system_type: str) -> str:
    """The stored system type, or a refusal citing the policy."""
    kind = system_type.strip().upper()
    if kind in RENEWABLE_SYSTEMS:
        return kind
    if kind in REFUSED_SYSTEMS:
        raise RuleViolation(
            f"{REFUSED_SYSTEMS[kind]} may not be connected behind the net meter ({POLICY}: "
            "interconnection of mechanical combustible generators or battery systems will "
            "not be allowed)",
            field="system_type",
        )
    raise RuleViolation(
        f"{system_type!r} is not a renewable system; only "
        f"{', '.join(kind.lower() for kind in RENEWABLE_SYSTEMS)} may be connected to the "
        f"net meter ({POLICY})",
        field="system_type",
    )


def application_fee(*, ac_kw: Decimal, rule: ApplicationFee) -> Money:
    """SEC policy 425: $50.00 up to 100 kW; $50.00 plus $1 per kW above 100 kW.

    "Per kW" counts each started kW above the threshold (100.5 kW pays $51.00): the
    policy prices whole kW and a part of one is read, as a meter's demand would be, as a
    kW begun. The result is whole cents, no other rounding."""
    if ac_kw <= 0:
        raise RuleViolation("the system's AC rating must be more than 0 kW", field="ac_kw")
    above = max(ac_kw - rule.threshold_kw, Decimal(0))
    kw_above = above.to_integral_value(rounding=ROUND_CEILING)
    return rule.base + rule.per_kw * kw_above
