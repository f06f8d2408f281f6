"""The co-op profile's net-metering numbers (``[net_metering]`` in catalog/profiles/*.toml)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from coopcis.catalog.profiles import active_profile
from coopcis.core.errors import RuleViolation
from coopcis.core.money import Money
from coopcis.core.net_metering.interconnection import ApplicationFee

#: The ledger accounts (catalog/chart/rus.toml; docs/domain/net-metering.md).
PURCHASED_POWER = "555"
REC_PURCHASES = "555.1"
CREDITS_OWED = "242.3"
PAYABLE = "232.1"

#: How a bank greater than the threshold is paid (the profile's ``payout_method``): by check
#: request through 232.1, or as a non-cash credit to the member's receivable (142.x).
PAYOUT_METHODS = ("CHECK", "BILL_CREDIT")


@dataclass(frozen=True, slots=True)
class NetMeteringPolicy:
    fee: ApplicationFee
    payout_above: Money
    payout_method: str
    rec_read_due_day: int
    rec_payment_months: tuple[int, ...]
    source: str


def net_metering_policy() -> NetMeteringPolicy:
    """The active profile's rules; a profile without ``[net_metering]`` runs no program."""
    profile = active_profile()
    data = profile.net_metering
    if not data:
        raise RuleViolation(
            f"the {profile.short_name} profile has no [net_metering] section", field="profile"
        )
    method = str(data.get("payout_method", "CHECK"))
    if method not in PAYOUT_METHODS:
        raise RuleViolation(
            f"[net_metering] payout_method {method!r}: a bank over the threshold is paid by "
            "check request (CHECK) or as a credit on the member's bill (BILL_CREDIT)",
            field="profile",
        )
    return NetMeteringPolicy(
        fee=ApplicationFee(
            base=Money.of(str(data["application_fee"])),
            per_kw=Money.of(str(data["fee_per_kw_above"])),
            threshold_kw=Decimal(str(data["fee_threshold_kw"])),
        ),
        payout_above=Money.of(str(data["payout_above"])),
        payout_method=method,
        rec_read_due_day=int(str(data.get("rec_read_due_day", 7))),
        rec_payment_months=tuple(int(m) for m in data.get("rec_payment_months", [5, 9])),  # type: ignore[attr-defined]
        source=str(data.get("source", "")),
    )
