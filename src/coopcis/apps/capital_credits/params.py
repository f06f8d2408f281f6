"""The profile's ``[capital_credits]`` table, read once into typed values."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from coopcis.catalog.profiles import ProfileError, active_profile
from coopcis.core.capital_credits.retirement import METHODS
from coopcis.core.errors import RuleViolation

OPERATING = "operating"
POOL_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


@dataclass(frozen=True)
class CapitalCreditRules:
    basis: str  # "REVENUE" or "KWH"
    revenue_accounts: tuple[str, ...]
    pools: tuple[str, ...]
    retirement_method: str
    hybrid_fifo_share: Decimal
    rotation_years: int
    estate_discount_rate: Decimal
    smallest_check: Decimal
    small_amounts: str
    active_members_paid_by: str
    unclaimed_after_years: int
    minimum_equity_ratio: Decimal
    joint_estate: str


def rules() -> CapitalCreditRules:
    """The active profile's capital-credit parameters (``catalog/profiles/*.toml``)."""
    profile = active_profile()
    data = profile.capital_credits
    try:
        found = CapitalCreditRules(
            basis=str(data["basis"]).upper(),
            revenue_accounts=tuple(str(a) for a in data["revenue_accounts"]),  # type: ignore[attr-defined]
            pools=tuple(str(p) for p in data["pools"]),  # type: ignore[attr-defined]
            retirement_method=str(data["retirement_method"]),
            hybrid_fifo_share=Decimal(str(data["hybrid_fifo_share"])),
            rotation_years=int(str(data["rotation_years"])),
            estate_discount_rate=Decimal(str(data["estate_discount_rate"])),
            smallest_check=Decimal(str(data["smallest_check"])),
            small_amounts=str(data["small_amounts"]),
            active_members_paid_by=str(data["active_members_paid_by"]),
            unclaimed_after_years=int(str(data["unclaimed_after_years"])),
            minimum_equity_ratio=Decimal(str(data["minimum_equity_ratio"])),
            joint_estate=str(data["joint_estate"]),
        )
    except KeyError as missing:
        raise ProfileError(f"profile {profile.code}: [capital_credits] needs {missing}") from None
    if found.basis not in ("REVENUE", "KWH") or found.retirement_method not in METHODS:
        raise ProfileError(f"profile {profile.code}: [capital_credits] basis or method unknown")
    return found


def check_pool(name: str) -> str:
    """A pool's name: ``operating`` or a G&T's short name the profile lists (``tri-state``)."""
    known = rules().pools
    if not POOL_NAME.match(name) or name not in known:
        raise RuleViolation(
            f"unknown pool {name!r}: the profile's pools are {', '.join(known)}", field="pool"
        )
    return name
