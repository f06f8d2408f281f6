"""Members affected by an outage are told, through their notification preferences for the
kind "outage" (email or text): detected, estimated restoration, restored.

Each message has its own idempotency key (outage, stage, account), so telling again never
sends twice; a new estimate is a new stage. Detection is told by ``coopcis outages notify``
(a job run every minute), not inside the request that predicted the outage: a storm's
reports must not wait on thousands of messages.
"""

from __future__ import annotations

from datetime import datetime

from coopcis.apps.members.models import Account
from coopcis.apps.notify.services import notify
from coopcis.apps.outages.models import Outage, OutageStatus
from coopcis.apps.outages.network import current_network
from coopcis.apps.premises.models import ServiceAgreement


def accounts_affected(outage: Outage) -> list[Account]:
    """The accounts with an agreement in force at a service point under the outage's device."""
    network = current_network()
    if outage.device_code in network:
        codes = network.downstream_service_points(outage.device_code)
    else:
        codes = [outage.device_code]
    ids = (
        ServiceAgreement.objects.filter(service_point__code__in=codes, end_on__isnull=True)
        .values_list("account", flat=True)
        .distinct()
    )
    return list(Account.objects.filter(pk__in=ids).select_related("party").order_by("number"))


def tell(outage: Outage, stage: str) -> int:
    """Notify every affected account about ``stage`` (detected, estimate, restored); the
    number of messages recorded (sent or skipped by preference)."""
    context: dict[str, object] = {
        "restored": stage == "restored",
        "started_at": outage.started_at,
        "restored_at": outage.restored_at,
        "estimated_restoration_at": outage.estimated_restoration_at,
    }
    key_stage = stage
    if stage == "estimate" and outage.estimated_restoration_at is not None:
        key_stage = f"estimate-{outage.estimated_restoration_at:%Y%m%dT%H%M}"
    told = 0
    for account in accounts_affected(outage):
        notify(
            account,
            "outage",
            context,
            idempotency_key=f"outage:{outage.pk}:{key_stage}:{account.pk}",
        )
        told += 1
    return told


def tell_detected(*, now: datetime) -> int:
    """Tell the members of every open outage that it is known (once each)."""
    told = 0
    for outage in Outage.objects.filter(status=OutageStatus.OPEN, predicted_at__lte=now):
        told += tell(outage, "detected")
    return told
