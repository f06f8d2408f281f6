"""Changes to meters and their installations (atomic, audited, locked)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from coopcis.apps.members.services import check_model
from coopcis.apps.metering.models import Meter, MeterInstallation
from coopcis.apps.premises.models import ServicePoint, ServicePointKind
from coopcis.core.errors import RuleViolation
from coopcis.core.periods import open_ended_overlaps


@transaction.atomic
def register_meter(**fields: Any) -> Meter:
    meter = Meter(**fields)
    check_model(meter)
    if Meter.objects.filter(serial=meter.serial).exists():
        raise RuleViolation(f"meter {meter.serial} already exists", field="serial")
    meter.save()
    return meter


@transaction.atomic
def install_meter(
    *, meter: Meter, service_point: ServicePoint, installed_on: date
) -> MeterInstallation:
    """Install a meter at a service point. A meter is at one place at a time: an installation
    that overlaps another of the same meter is refused (the meter row is locked meanwhile)."""
    meter = Meter.objects.select_for_update().get(pk=meter.pk)
    if service_point.kind == ServicePointKind.UNMETERED_LIGHTING:
        raise RuleViolation(f"{service_point} is unmetered", field="service_point")
    for other in meter.installations.select_related("service_point"):
        if open_ended_overlaps(installed_on, None, other.installed_on, other.removed_on):
            where = other.service_point.code
            raise RuleViolation(
                f"meter {meter.serial} is installed at {where} from {other.installed_on}"
                f"{' to ' + other.removed_on.isoformat() if other.removed_on else ''}; remove it first",
                field="meter",
            )
    return MeterInstallation.objects.create(
        meter=meter, service_point=service_point, installed_on=installed_on
    )


@transaction.atomic
def remove_meter(*, meter: Meter, removed_on: date, reason: str = "") -> MeterInstallation:
    meter = Meter.objects.select_for_update().get(pk=meter.pk)
    installation = meter.installations.filter(removed_on__isnull=True).first()
    if installation is None:
        raise RuleViolation(f"meter {meter.serial} is not installed anywhere", field="meter")
    if removed_on <= installation.installed_on:
        raise RuleViolation("a meter must be removed after it was installed", field="removed_on")
    installation.removed_on = removed_on
    installation.removal_reason = reason
    installation.with_reason(reason).save()
    return installation


def meters_at(*, service_point: ServicePoint, on: date) -> list[Meter]:
    """The meters installed at a service point on a date."""
    return [
        installation.meter
        for installation in service_point.installations.select_related("meter")
        if installation.installed_on <= on
        and (installation.removed_on is None or on < installation.removed_on)
    ]
