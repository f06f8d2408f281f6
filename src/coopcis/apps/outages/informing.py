"""Members affected by an outage are told, through their notification preferences for the
kind "outage" (email or text): detected, estimated restoration, restored.

Each message has its own idempotency key (outage, stage, account), so telling again never
sends twice; a new estimate is a new stage. Detection is told by ``coopcis outages notify``
(a job run every minute), not inside the request that predicted the outage: a storm's
reports must not wait on thousands of messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from coopcis.apps.members.models import Account
from coopcis.apps.notify.services import notify
from coopcis.apps.outages.models import Outage, OutageStatus
from coopcis.apps.outages.network import current_network
from coopcis.apps.premises.models import ServiceAgreement
from coopcis.catalog.profiles import active_profile


def still_out_url(account: Account) -> str:
    """The portal page where the account's member reports an outage or says the power is
    still out (``/portal/accounts/<number>/outage/``), at the co-op's portal address."""
    base = active_profile().portal_url.rstrip("/") or "/portal"
    return f"{base}/accounts/{account.number}/outage/"


def service_points_affected(outage: Outage, *, excluding: Sequence[str] = ()) -> list[str]:
    """The service points under the outage's device, less those under ``excluding``
    (devices of nested outages whose members are not part of this message)."""
    network = current_network()
    if outage.device_code not in network:
        return [outage.device_code]
    codes = network.downstream_service_points(outage.device_code)
    left_out: set[str] = set()
    for device in excluding:
        if device in network:
            left_out.update(network.downstream_service_points(device))
        else:
            left_out.add(device)
    return [code for code in codes if code not in left_out]


def accounts_affected(outage: Outage, *, excluding: Sequence[str] = ()) -> list[Account]:
    """The accounts with an agreement in force at a service point under the outage's device
    (less those under ``excluding``)."""
    codes = service_points_affected(outage, excluding=excluding)
    ids = (
        ServiceAgreement.objects.filter(service_point__code__in=codes, end_on__isnull=True)
        .values_list("account", flat=True)
        .distinct()
    )
    return list(Account.objects.filter(pk__in=ids).select_related("party").order_by("number"))


def tell(
    outage: Outage,
    stage: str,
    *,
    excluding: Sequence[str] = (),
    restored_at: datetime | None = None,
) -> int:
    """Notify every affected account (less those under ``excluding``) about ``stage``
    (detected, estimate, restored); the number of messages recorded (sent or skipped by
    preference). A restored message carries the portal page where a member whose power
    is still out says so."""
    context: dict[str, object] = {
        "restored": stage == "restored",
        "started_at": outage.started_at,
        # members under a device closed before the one above it were back only with that one
        "restored_at": restored_at or outage.restored_at,
        "estimated_restoration_at": outage.estimated_restoration_at,
    }
    key_stage = stage
    if stage == "estimate" and outage.estimated_restoration_at is not None:
        key_stage = f"estimate-{outage.estimated_restoration_at:%Y%m%dT%H%M}"
    told = 0
    for account in accounts_affected(outage, excluding=excluding):
        if stage == "restored":
            context["still_out_url"] = still_out_url(account)
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
    # an outage nested under an open one: its members were told with that one
    outages = Outage.objects.filter(status=OutageStatus.OPEN, predicted_at__lte=now).exclude(
        parent__status=OutageStatus.OPEN
    )
    for outage in outages:
        told += tell(outage, "detected")
    return told
