"""Interconnection applications and the avoided-cost table (SEC policy 425).

Each state change is one function: atomic, the application row locked, audited (the
model is audited). A system that is not renewable is refused before anything is stored.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from coopcis.apps.members.models import Account
from coopcis.apps.metering.models import Meter, MeterKind
from coopcis.apps.metering.services import install_meter, meters_at, register_meter, remove_meter
from coopcis.apps.netmetering.models import (
    AvoidedCostRate,
    CostKind,
    Interconnection,
    InterconnectionCharge,
)
from coopcis.apps.netmetering.models import InterconnectionStatus as Status
from coopcis.apps.netmetering.policy import net_metering_policy
from coopcis.apps.premises.models import ServiceAgreement, ServicePoint
from coopcis.apps.receivables.services import charge_fee
from coopcis.core.errors import RuleViolation
from coopcis.core.money import Money
from coopcis.core.net_metering.interconnection import application_fee, check_system

OPEN = (Status.SUBMITTED, Status.APPROVED, Status.IN_SERVICE)
NET_METER_INTERVAL_MINUTES = 15


def _serves(account: Account, service_point: ServicePoint, on: date) -> bool:
    agreements = ServiceAgreement.objects.filter(
        account=account, service_point=service_point, start_on__lte=on
    ).exclude(end_on__lte=on)
    return agreements.exists()


@transaction.atomic
def apply_for_interconnection(
    *, account: Account, service_point: ServicePoint, system_type: str, ac_kw: Decimal, on: date
) -> Interconnection:
    """Record an application; a combustion generator or battery is refused, citing policy 425."""
    kind = check_system(system_type)
    if ac_kw <= 0:
        raise RuleViolation("the system's AC rating must be more than 0 kW", field="ac_kw")
    if not _serves(account, service_point, on):
        raise RuleViolation(
            f"account {account.number} is not served at {service_point.code} on {on}: only the "
            "net meter's own location is credited (policy 425, no aggregation)",
            field="service_point",
        )
    if Interconnection.objects.filter(service_point=service_point, status__in=OPEN).exists():
        raise RuleViolation(
            f"{service_point.code} already has an open interconnection", field="service_point"
        )
    return Interconnection.objects.create(
        account=account, service_point=service_point, system_type=kind, ac_kw=ac_kw, submitted_on=on
    )


def _locked(interconnection: Interconnection, *states: str) -> Interconnection:
    locked = Interconnection.objects.select_for_update().get(pk=interconnection.pk)
    if locked.status not in states:
        wanted = " or ".join(Status(state).label.lower() for state in states)
        raise RuleViolation(
            f"interconnection {locked.pk} is {Status(locked.status).label.lower()}, not {wanted}",
            field="status",
        )
    return locked


@transaction.atomic
def approve_interconnection(interconnection: Interconnection, *, on: date) -> Interconnection:
    """Approve and charge the application fee on the account (policy 425, cost to members)."""
    ic = _locked(interconnection, Status.SUBMITTED)
    if on < ic.submitted_on:
        raise RuleViolation("approved before it was submitted", field="on")
    policy = net_metering_policy()
    fee = application_fee(ac_kw=ic.ac_kw, rule=policy.fee)
    charge_fee(
        account=ic.account,
        fee_code="net_metering_application",
        on=on,
        reason=f"net-metering application {ic.pk}, {ic.ac_kw} kW AC ({policy.source})",
        amount=fee.amount,
        source_key=f"nm-fee:{ic.pk}",
    )
    ic.status, ic.approved_on, ic.fee_amount = Status.APPROVED, on, fee.amount
    ic.save()
    return ic


@transaction.atomic
def charge_at_cost(
    interconnection: Interconnection, *, kind: str, amount: Money, on: date, description: str
) -> InterconnectionCharge:
    """A study, upgrade or the REC meter, billed to the member at cost (policy 425)."""
    ic = _locked(interconnection, Status.SUBMITTED, Status.APPROVED, Status.IN_SERVICE)
    if kind not in CostKind.values:
        raise RuleViolation(f"kind must be one of {', '.join(CostKind.values)}", field="kind")
    if amount.amount <= 0:
        raise RuleViolation("a cost must be more than $0.00", field="amount")
    text = description.strip() or CostKind(kind).label
    charge = InterconnectionCharge.objects.create(
        interconnection=ic, kind=kind, description=text[:200], amount=amount.amount, charged_on=on
    )
    charge.item = charge_fee(
        account=ic.account,
        fee_code=f"net_metering_{kind.lower()}",
        on=on,
        reason=f"{CostKind(kind).label} at cost, interconnection {ic.pk}: {text}",
        amount=amount.amount,
        source_key=f"nm-cost:{charge.pk}",
    )
    charge.save(update_fields=["item"])
    return charge


@transaction.atomic
def put_in_service(
    interconnection: Interconnection, *, on: date, net_meter_serial: str, rec_meter_serial: str
) -> Interconnection:
    """The system goes in service: the net meter (delivered and received channels) replaces
    the meter at the service point, and the REC meter (total generation) is recorded."""
    ic = _locked(interconnection, Status.APPROVED)
    if on < (ic.approved_on or on):
        raise RuleViolation("in service before it was approved", field="on")
    if not rec_meter_serial.strip():
        raise RuleViolation(
            "name the REC meter (policy 425: the member pays for it)", field="rec_meter"
        )
    meter = Meter.objects.filter(serial=net_meter_serial).first()
    if meter is None:
        meter = register_meter(
            serial=net_meter_serial,
            kind=MeterKind.NET_METER,
            interval_minutes=NET_METER_INTERVAL_MINUTES,
        )
    elif meter.kind != MeterKind.NET_METER:
        raise RuleViolation(
            f"meter {meter.serial} is not a net meter (it has no received channel)",
            field="net_meter",
        )
    present = meters_at(service_point=ic.service_point, on=on)
    if meter not in present:
        for old in present:
            remove_meter(meter=old, removed_on=on, reason=f"net meter for interconnection {ic.pk}")
        install_meter(meter=meter, service_point=ic.service_point, installed_on=on)
    ic.status, ic.in_service_on = Status.IN_SERVICE, on
    ic.net_meter, ic.rec_meter_serial = meter, rec_meter_serial.strip()
    ic.save()
    return ic


@transaction.atomic
def close_interconnection(
    interconnection: Interconnection, *, on: date, reason: str, refused: bool
) -> Interconnection:
    """Refuse (the co-op) or withdraw (the member) an application not yet in service."""
    if not reason.strip():
        raise RuleViolation("say why", field="reason")
    ic = _locked(interconnection, Status.SUBMITTED, Status.APPROVED)
    ic.status = Status.REFUSED if refused else Status.WITHDRAWN
    ic.closed_on, ic.reason = on, reason.strip()[:300]
    ic.save()
    return ic


# --- the avoided cost ---------------------------------------------------------------


@transaction.atomic
def set_avoided_cost(*, effective_on: date, rate_per_kwh: Decimal, source: str) -> AvoidedCostRate:
    """Add the avoided cost filed with the NM PRC, in force from ``effective_on``."""
    if rate_per_kwh < 0:
        raise RuleViolation("the avoided cost is never negative", field="rate")
    if not source.strip():
        raise RuleViolation("cite the filing (--source)", field="source")
    if AvoidedCostRate.objects.filter(effective_on=effective_on).exists():
        raise RuleViolation(f"an avoided cost already starts on {effective_on}", field="from")
    return AvoidedCostRate.objects.create(
        effective_on=effective_on, rate_per_kwh=rate_per_kwh, source=source.strip()[:200]
    )


def avoided_cost_table() -> list[tuple[date, Decimal]]:
    """Every avoided cost, oldest first, as (from, $/kWh)."""
    return list(
        AvoidedCostRate.objects.order_by("effective_on").values_list("effective_on", "rate_per_kwh")
    )


def rate_on(table: list[tuple[date, Decimal]], day: date) -> Decimal | None:
    """The rate in force on ``day`` in a dated table (None before the first)."""
    found = None
    for effective_on, rate in table:
        if effective_on <= day:
            found = rate
    return found
