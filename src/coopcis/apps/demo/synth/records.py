"""The demo plan: plain records of the master data, referring to each other by position.

``DemoPlan.parties[i]`` is stored before ``DemoPlan.accounts`` that point at ``i``; the
loader maps positions to database ids as it inserts. Field names follow the models.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from coopcis.apps.demo.synth.classes import LoadParams


@dataclass(slots=True)
class PartyPlan:
    kind: str
    category: str  # PERSON, TRUST, BUSINESS, LARGE, LOAD_MANAGEMENT, RANCH, CHURCH, AGENCY, ...
    town: int
    organization_kind: str = ""
    first_name: str = ""
    last_name: str = ""
    organization_name: str = ""
    phone: str = ""
    email: str = ""
    hispanic: bool = False
    membership_number: str = ""
    membership_kind: str = "MEMBER"
    joined_on: date = date(2000, 1, 1)
    status: str = "ACTIVE"
    ended_on: date | None = None
    end_reason: str = ""
    home_premise: int | None = None

    @property
    def display_name(self) -> str:
        if self.kind == "ORGANIZATION":
            return self.organization_name
        return f"{self.last_name}, {self.first_name}"

    @property
    def holder_name(self) -> str:
        if self.kind == "ORGANIZATION":
            return self.organization_name[:80]
        return f"{self.first_name} {self.last_name}"


@dataclass(slots=True)
class PremisePlan:
    kind: str
    line1: str
    city: str
    zip_code: str
    county: str
    latitude: Decimal
    longitude: Decimal
    district: str
    town: int
    line2: str = ""


@dataclass(slots=True)
class ServicePointPlan:
    premise: int
    code: str
    kind: str
    feeder: str
    transformer: str
    phases: int
    service_kva: int | None


@dataclass(slots=True)
class AccountPlan:
    number: str
    party: int
    class_key: str
    rate_class: str
    opened_on: date
    billing_cycle: int
    mailing_line1: str
    mailing_city: str
    mailing_zip: str
    status: str = "ACTIVE"
    closed_on: date | None = None
    paperless: bool = False
    autopay: bool = False
    language: str = "EN"
    mailing_line2: str = ""
    phone: str = ""
    email: str = ""


@dataclass(slots=True)
class AgreementPlan:
    account: int
    service_point: int
    tariff_code: str
    start_on: date
    end_on: date | None = None
    contract_kw: Decimal | None = None
    loss_factor: Decimal = Decimal(0)
    fixtures: int | None = None


@dataclass(slots=True)
class MeterPlan:
    """A meter, where it is installed, how its service uses energy and when it is read."""

    serial: str
    kind: str
    manufacturer: str
    dials: int
    interval_minutes: int | None
    measures_demand: bool
    service_point: int
    installed_on: date
    load: LoadParams
    elevation_m: int
    read_dates: list[date] = field(default_factory=list)
    read_sources: list[str] = field(default_factory=list)
    removed_on: date | None = None
    removal_reason: str = ""
    start_fraction: float = 0.0  # where the register starts, as a share of its free range
    multiplier: int = 1


@dataclass(slots=True)
class MandatePlan:
    account: int
    draft_day: int
    bank_name: str
    routing_number: str
    bank_account_number: str
    bank_account_type: str
    holder_name: str
    signed_on: date
    active: bool


@dataclass
class DemoPlan:
    """Everything the demo co-op holds except the energy data, in insertion order."""

    start_date: date
    end_date: date
    parties: list[PartyPlan] = field(default_factory=list)
    premises: list[PremisePlan] = field(default_factory=list)
    service_points: list[ServicePointPlan] = field(default_factory=list)
    accounts: list[AccountPlan] = field(default_factory=list)
    agreements: list[AgreementPlan] = field(default_factory=list)
    meters: list[MeterPlan] = field(default_factory=list)
    mandates: list[MandatePlan] = field(default_factory=list)
