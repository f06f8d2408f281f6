"""Restoring outages, whole or in part, and a member's "my power is still out".

Nested outages (``Outage.parent``) are devices below an open outage found out too: staff
record one ("also out below", a fuse blown under the open recloser) or close an outage
with devices below it still out ("restored except below"). Who is back, and each group's
interruption for the IEEE 1366 indices, follows ``coopcis.core.outages.restoration``: a
member is restored only when every outage above them is, so a fuse closed under a still
open recloser restores nobody until the recloser closes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from coopcis.apps.outages.informing import tell
from coopcis.apps.outages.models import (
    Interruption,
    InterruptionSource,
    Outage,
    OutageReport,
    OutageStatus,
)
from coopcis.apps.outages.network import current_network
from coopcis.core.errors import RuleViolation
from coopcis.core.outages import restoration as core
from coopcis.core.outages.network import SERVICE_POINT, Network

#: A member's "still out" reaches back to a restoration this recent; later it is a new
#: outage of its own.
STILL_OUT_WITHIN = timedelta(hours=24)


def family(outage: Outage) -> list[Outage]:
    """The outage, the outages it is nested in, and every outage nested under those."""
    top = outage
    while top.parent_id is not None:
        top = Outage.objects.get(pk=top.parent_id)
    members, frontier = [top], [top.pk]
    while frontier:
        found = list(Outage.objects.filter(parent_id__in=frontier))
        members.extend(found)
        frontier = [item.pk for item in found]
    return members


def _spans(outages: Sequence[Outage]) -> list[core.Span]:
    return [
        core.Span(
            key=str(item.pk),
            affected=item.affected,
            start_at=item.started_at,
            restored_at=item.restored_at if item.status == OutageStatus.RESTORED else None,
            parent=None if item.parent_id is None else str(item.parent_id),
            recorded=item.interruption_id is not None,
        )
        for item in outages
    ]


def waiting_on_upstream(outage: Outage) -> Outage | None:
    """The open outage above a restored nested one that keeps its members out."""
    upper = outage.parent
    while upper is not None:
        if upper.status == OutageStatus.OPEN:
            return upper
        upper = upper.parent
    return None


def _nearest_parent(network: Network, outage: Outage, device: str) -> Outage:
    """The outage of ``outage``'s family the device hangs from: the lowest one above it."""
    parent = outage
    descended = True
    while descended:
        descended = False
        for child in Outage.objects.filter(parent=parent):
            if child.device_code in network and network.is_below(device, child.device_code):
                if child.device_code == device:
                    raise RuleViolation(
                        f"{device} is already outage {child.pk}", field="still_out_below"
                    )
                parent, descended = child, True
                break
    return parent


def nest(outage: Outage, *, device_code: str) -> Outage:
    """Record that ``device_code``, below the open ``outage``'s device, is out too: a nested
    outage that started with it (its members have been out since then)."""
    network = current_network()
    code = device_code.strip()
    if outage.device_code not in network:
        raise RuleViolation(
            f"{outage.device_code} is not in the network: nothing to nest under it",
            field="still_out_below",
        )
    if code not in network or code == outage.device_code:
        raise RuleViolation(f"{code or 'a device'}: not a device below it", field="still_out_below")
    if not network.is_below(code, outage.device_code):
        raise RuleViolation(f"{code} is not below {outage.device_code}", field="still_out_below")
    parent = _nearest_parent(network, outage, code)
    kind = network.kind(code)
    nested = Outage.objects.create(
        device_code=code,
        device_kind=kind,
        started_at=parent.started_at,
        predicted_at=timezone.now(),
        affected=1 if kind == SERVICE_POINT else network.service_point_count(code),
        parent=parent,
        crew=parent.crew,
    )
    # outages nested in the same parent that lie under the new device now hang from it
    for sibling in Outage.objects.filter(parent=parent).exclude(pk=nested.pk):
        if sibling.device_code in network and network.is_below(sibling.device_code, code):
            sibling.parent = nested
            sibling.save(update_fields=["parent"])
    return nested


@transaction.atomic
def also_out(outage: Outage, *, device_code: str) -> Outage:
    """Staff found a device below an open outage out as well (its own fault): nest it."""
    outage = Outage.objects.select_for_update().get(pk=outage.pk)
    if outage.status != OutageStatus.OPEN:
        raise RuleViolation("the outage is restored: report the device on its own", field="outage")
    return nest(outage, device_code=device_code)


@transaction.atomic
def restore(
    outage: Outage,
    *,
    cause: str,
    restored_at: datetime,
    still_out_below: Sequence[str] = (),
) -> Outage:
    """Close the outage with its cause and restoration time. Devices named in
    ``still_out_below`` stay out as nested outages. The interruptions that become final
    (this outage's members, and nested outages closed earlier waiting on it) are recorded
    for the IEEE 1366 indices and their members told their power is back."""
    outage = Outage.objects.select_for_update().get(pk=outage.pk)
    if outage.status != OutageStatus.OPEN:
        raise RuleViolation("the outage is already restored", field="outage")
    cause = cause.strip()
    if not cause:
        raise RuleViolation("give the cause code", field="cause")
    if restored_at < outage.started_at:
        raise RuleViolation("restored before it started", field="restored_at")
    if restored_at > timezone.now() + timedelta(minutes=1):
        raise RuleViolation("the restoration time is in the future", field="restored_at")
    for code in dict.fromkeys(c.strip() for c in still_out_below if c.strip()):
        nest(outage, device_code=code)
    outage.status, outage.cause, outage.restored_at = OutageStatus.RESTORED, cause, restored_at
    outage.save()
    record_settled(outage)
    outage.refresh_from_db()
    return outage


def record_settled(outage: Outage) -> list[Outage]:
    """Record the interruptions of ``outage``'s family that became final; tell their
    members. The outages whose members were restored."""
    outages = family(outage)
    by_pk = {str(item.pk): item for item in outages}
    settled = []
    for found in core.settle(_spans(outages)):
        item = by_pk[found.key]
        item.interruption = Interruption.objects.create(
            start_at=found.start_at,
            end_at=found.end_at,
            customers_interrupted=found.customers,
            cause=(item.cause or _cause_above(item, by_pk))[:40],
            device=item.device_code,
            source=InterruptionSource.RECORDED,
        )
        item.save(update_fields=["interruption"])
        excluding = [o.device_code for o in outages if o.parent_id == item.pk]
        tell(item, "restored", excluding=excluding, restored_at=found.end_at)
        settled.append(item)
    return settled


def _cause_above(item: Outage, by_pk: dict[str, Outage]) -> str:
    upper = by_pk.get(str(item.parent_id)) if item.parent_id else None
    while upper is not None and not upper.cause:
        upper = by_pk.get(str(upper.parent_id)) if upper.parent_id else None
    return upper.cause if upper is not None else "unknown"


def covering(network: Network, code: str, outages: Sequence[Outage]) -> list[Outage]:
    """Of ``outages``, those whose device is the service point ``code`` or above it."""
    return [
        item
        for item in outages
        if item.device_code == code
        or (
            item.device_code in network
            and code in network
            and network.is_below(code, item.device_code)
        )
    ]


def latest_restored_covering(code: str, *, now: datetime) -> Outage | None:
    """The latest outage restored within ``STILL_OUT_WITHIN`` whose members include the
    service point ``code`` (the one its members were told is over)."""
    network = current_network()
    recent = Outage.objects.filter(
        status=OutageStatus.RESTORED, restored_at__gte=now - STILL_OUT_WITHIN
    ).order_by("-restored_at", "-pk")
    found = covering(network, code, list(recent))
    return found[0] if found else None


def open_covering(code: str) -> Outage | None:
    network = current_network()
    found = covering(network, code, list(Outage.objects.filter(status=OutageStatus.OPEN)))
    return found[0] if found else None


def still_out(report: OutageReport) -> Outage:
    """A member says the power is still out after a restoration. An open outage covering
    the service point takes the report. Otherwise the latest restored outage over it is
    corrected: the service point's own single-service outage is reopened (its recorded
    interruption withdrawn: it had not ended), or the service point is nested under the
    restored device's outage as a single service still out since it started (that
    outage's recorded members one fewer). Without a recent restoration, the report starts
    a single-service outage of its own."""
    code = report.service_point.code
    outage = open_covering(code)
    if outage is None:
        restored = latest_restored_covering(code, now=report.event_at)
        if restored is None:
            outage = Outage.objects.create(
                device_code=code,
                device_kind=SERVICE_POINT,
                started_at=report.event_at,
                predicted_at=timezone.now(),
                affected=1,
                reported=1,
            )
        elif restored.device_code == code:
            outage = _reopen(restored)
        else:
            outage = _single_under(restored, code)
    report.outage = outage
    report.save(update_fields=["outage"])
    return outage


def _reopen(outage: Outage) -> Outage:
    interruption = outage.interruption
    outage.status, outage.restored_at, outage.cause = OutageStatus.OPEN, None, ""
    outage.interruption = None
    outage.save()
    if interruption is not None:
        interruption.delete()
    return outage


def _single_under(restored: Outage, code: str) -> Outage:
    parent = restored
    for child in Outage.objects.filter(parent=parent):
        network = current_network()
        if child.device_code in network and network.is_below(code, child.device_code):
            return _single_under(child, code)
    single = Outage.objects.create(
        device_code=code,
        device_kind=SERVICE_POINT,
        started_at=parent.started_at,
        predicted_at=timezone.now(),
        affected=1,
        reported=1,
        parent=parent,
    )
    interruption = parent.interruption
    if interruption is not None:
        if interruption.customers_interrupted <= 1:
            parent.interruption = None
            parent.save(update_fields=["interruption"])
            interruption.delete()
        else:
            interruption.customers_interrupted -= 1
            interruption.save(update_fields=["customers_interrupted"])
    return single
