"""The demo's net-metered members as interconnections in service (SEC policy 425).

Every net meter the demo installed serves a rooftop solar system: each gets an
interconnection, approved with its $50.00 fee (paid before the demo's history begins, so
not on its books) and in service since the net meter went in, with a REC meter. The AC
rating is illustrative (3.0 to 9.0 kW, drawn from the meter's id so a load is
repeatable), not the synthetic load's array size.
"""

from __future__ import annotations

from decimal import Decimal

from coopcis.apps.audit.tracking import record_created
from coopcis.apps.metering.models import MeterInstallation, MeterKind
from coopcis.apps.netmetering.models import Interconnection, InterconnectionStatus, SystemType
from coopcis.apps.premises.models import ServiceAgreement


def store_interconnections() -> int:
    """An interconnection in service for each installed net meter; returns how many."""
    installs = list(
        MeterInstallation.objects.filter(meter__kind=MeterKind.NET_METER, removed_on__isnull=True)
        .select_related("meter")
        .order_by("id")
    )
    points = [installation.service_point_id for installation in installs]
    account_at: dict[int, int] = {}
    agreements = (
        ServiceAgreement.objects.filter(service_point_id__in=points, end_on__isnull=True)
        .order_by("start_on")
        .values_list("service_point_id", "account_id")
    )
    for point, account in agreements:
        account_at[point] = account
    rows = [
        Interconnection(
            account_id=account_at[installation.service_point_id],
            service_point_id=installation.service_point_id,
            system_type=SystemType.SOLAR,
            ac_kw=Decimal(30 + installation.meter_id % 61) / 10,
            status=InterconnectionStatus.IN_SERVICE,
            submitted_on=installation.installed_on,
            approved_on=installation.installed_on,
            in_service_on=installation.installed_on,
            fee_amount=Decimal("50.00"),
            net_meter_id=installation.meter_id,
            rec_meter_serial=f"REC-{installation.meter.serial}",
        )
        for installation in installs
        if installation.service_point_id in account_at
    ]
    Interconnection.objects.bulk_create(rows, batch_size=1000)
    record_created(rows)
    return len(rows)
