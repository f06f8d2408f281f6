"""Co-op profiles: the numbers that differ between co-ops, as data.

One installation serves one co-op. Its profile (``COOPCIS_PROFILE``, default ``ocec``)
names the co-op, its offices and phone numbers, trustee districts, bill due days by
rate class and the fee schedule. See DOMAIN.md: OCEC and SEC differ (meter test
fee $35 vs $7.50; due days 20 vs 10 for commercial classes), so both ship.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

from coopcis.core.errors import RuleViolation
from coopcis.core.governance.rules import GovernanceRules
from coopcis.core.money import Money
from coopcis.core.outages.prediction import Parameters, parameters_from_table
from coopcis.core.payments.ceilings import read_ceilings

PROFILE_DIR = Path(__file__).with_name("profiles")


class ProfileError(ValueError):
    """An unknown profile code or a malformed profile file."""


@dataclass(frozen=True)
class Office:
    """A member-service office: where members walk in, where they mail payments, its phone."""

    name: str
    city: str  # city, state and ZIP: "Cloudcroft, NM 88317"
    phone: str
    street: str = ""
    po_box: str = ""

    @property
    def address(self) -> str:
        """Where the office is: ``404 Burro Avenue, Cloudcroft, NM 88317``."""
        return ", ".join(part for part in (self.street, self.city) if part)

    @property
    def mailing_address(self) -> str:
        """Where mail (and mailed payments) goes: the PO box when the office has one."""
        return ", ".join(part for part in (self.po_box or self.street, self.city) if part)

    @property
    def full_address(self) -> str:
        """Street, PO box, city: ``404 Burro Avenue, PO Box 227, Cloudcroft, NM 88317``."""
        return ", ".join(part for part in (self.street, self.po_box, self.city) if part)


@dataclass(frozen=True)
class Fee:
    code: str
    amount: Money
    description: str
    source: str


@dataclass(frozen=True)
class CoOpProfile:
    """A co-op's name, offices, districts, due days and fees (one TOML file)."""

    code: str
    name: str
    short_name: str
    state: str
    time_zone: str
    website: str
    outage_phone: str
    office_hours: str
    statement: str
    counties: tuple[str, ...]
    offices: tuple[Office, ...]
    districts: tuple[tuple[str, str], ...]
    due_days: dict[str, int]
    fees: dict[str, Fee]
    late_fee_percent_per_month: Decimal
    late_fee_classes: tuple[str, ...]
    payment_order: tuple[str, ...] = ("ELECTRIC", "FEE", "DEPOSIT", "LOAN")
    payment_oldest_first: bool = True
    #: Collection and field-order parameters (``[collections]``; read by apps.collections).
    collections: dict[str, object] = field(default_factory=dict)
    #: The largest single payment by channel and tender (``[payment_ceilings]``).
    payment_ceilings: dict[str, Money] = field(default_factory=dict)
    #: Net metering and REC parameters (``[net_metering]``; read by apps.netmetering).
    net_metering: dict[str, object] = field(default_factory=dict)
    #: Meetings, elections and the board by the bylaws (``[governance]``; apps.governance).
    governance: GovernanceRules = field(default_factory=GovernanceRules)
    #: Capital-credit parameters (``[capital_credits]``; read by apps.capital_credits).
    capital_credits: dict[str, object] = field(default_factory=dict)
    #: Where members reach the member portal (``/portal/`` of the site ``coopcis serve``
    #: runs), as printed on bills and written in emails.
    portal_url: str = ""
    #: Outage prediction: the report window, minimum reports, branch share and the share
    #: of a device's service points that must report, by device kind (``[outages]``).
    outage_prediction: Parameters = field(default_factory=Parameters)

    @property
    def portal_address(self) -> str:
        """The portal's address as printed: ``members.ocec-inc.com/portal`` (no scheme)."""
        address = self.portal_url.removeprefix("https://").removeprefix("http://")
        return address.rstrip("/")

    def due_days_for(self, rate_class: str) -> int:
        try:
            return self.due_days[rate_class]
        except KeyError:
            raise ProfileError(f"profile {self.code} has no due days for {rate_class}") from None

    def fee(self, code: str) -> Fee:
        try:
            return self.fees[code]
        except KeyError:
            raise ProfileError(f"profile {self.code} has no fee {code!r}") from None

    @property
    def district_codes(self) -> tuple[str, ...]:
        return tuple(code for code, _ in self.districts)


def profile_codes() -> list[str]:
    return sorted(path.stem for path in PROFILE_DIR.glob("*.toml"))


@cache
def load_profile(code: str) -> CoOpProfile:
    """Read ``catalog/profiles/<code>.toml``."""
    path = PROFILE_DIR / f"{code}.toml"
    if not path.exists():
        raise ProfileError(f"unknown co-op profile {code!r}; known: {', '.join(profile_codes())}")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    try:
        return CoOpProfile(
            code=data["code"],
            name=data["name"],
            short_name=data["short_name"],
            state=data["state"],
            time_zone=data["time_zone"],
            website=data.get("website", ""),
            portal_url=data.get("portal_url", ""),
            outage_phone=data.get("outage_phone", ""),
            office_hours=data.get("office_hours", ""),
            statement=data.get("statement", ""),
            counties=tuple(data.get("counties", [])),
            offices=tuple(Office(**office) for office in data["offices"]),
            districts=tuple((item["code"], item["name"]) for item in data["districts"]),
            due_days={key: int(value) for key, value in data["due_days"].items()},
            fees={
                key: Fee(key, Money.of(fee["amount"]), fee["description"], fee["source"])
                for key, fee in data.get("fees", {}).items()
            },
            late_fee_percent_per_month=Decimal(data["late_fee"]["percent_per_month"]),
            late_fee_classes=tuple(data["late_fee"]["applies_to"]),
            payment_order=tuple(data["payment_application"]["order"]),
            payment_oldest_first=bool(data["payment_application"]["oldest_first"]),
            collections=dict(data.get("collections", {})),
            payment_ceilings=read_ceilings(data.get("payment_ceilings", {})),
            net_metering=dict(data.get("net_metering", {})),
            governance=GovernanceRules.from_table(data.get("governance", {})),
            capital_credits=dict(data.get("capital_credits", {})),
            outage_prediction=parameters_from_table(data.get("outages", {})),
        )
    except (KeyError, TypeError) as error:
        raise ProfileError(f"profile {code}: missing or malformed field {error}") from None
    except (RuleViolation, ValueError) as violation:
        raise ProfileError(f"profile {code}: {violation}") from None


def active_profile() -> CoOpProfile:
    """The profile this installation runs (``COOPCIS_PROFILE``, default ``ocec``)."""
    return load_profile(os.environ.get("COOPCIS_PROFILE", "ocec"))
