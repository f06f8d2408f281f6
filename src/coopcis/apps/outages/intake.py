"""Outage reports in (members, staff, AMI meters), predicted outages out, restorations.

Every report is matched to a service point and kept. A report inside a planned outage is
kept with the planned outage named and never predicted. Receiving a report only records
it. ``refresh_predictions``, run by the background prediction pass
(``coopcis.apps.outages.predictor``) and never inside a request, runs the core's roll-up
(``coopcis.core.outages.prediction``) over the open reports of the window and keeps one
``Outage`` per predicted device: a new prediction above an open outage takes it over (a
fuse's outage becomes its recloser's), one below an open outage joins it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from coopcis.apps.members.models import Account
from coopcis.apps.metering.models import MeterInstallation
from coopcis.apps.outages import restoration
from coopcis.apps.outages.informing import tell
from coopcis.apps.outages.models import (
    Outage,
    OutageReport,
    OutageStatus,
    PlannedOutage,
    PredictionState,
    ReportKind,
)
from coopcis.apps.outages.network import current_network
from coopcis.apps.premises.models import ServiceAgreement, ServicePoint
from coopcis.catalog.profiles import active_profile
from coopcis.core.errors import RuleViolation
from coopcis.core.outages import prediction as core
from coopcis.core.outages.network import Network


def prediction_parameters() -> core.Parameters:
    """The co-op profile's ``[outages]`` settings: window, minimum reports, branch share
    and the threshold of each device kind (docs/domain/outages.md)."""
    return active_profile().outage_prediction


def find_service_point(
    *, service_point: str = "", meter: str = "", account: str = ""
) -> tuple[ServicePoint, Account | None]:
    """The service point a report names: by its code, its meter's serial, or an account
    with one service point in force (an account with several must name the service point)."""
    if service_point:
        found = ServicePoint.objects.filter(code=service_point.strip()).first()
        if found is None:
            raise RuleViolation("no such service point", field="service_point")
        holder = None
        if account:
            holder = Account.objects.filter(number=account.strip()).first()
            if holder is None:
                raise RuleViolation("no such account", field="account")
        return found, holder
    if meter:
        installed = (
            MeterInstallation.objects.filter(meter__serial=meter.strip(), removed_on__isnull=True)
            .select_related("service_point")
            .first()
        )
        if installed is None:
            raise RuleViolation("no meter with this serial is installed", field="meter")
        return installed.service_point, None
    if account:
        holder = Account.objects.filter(number=account.strip()).first()
        if holder is None:
            raise RuleViolation("no such account", field="account")
        points = list(
            ServiceAgreement.objects.filter(account=holder, end_on__isnull=True)
            .values_list("service_point", flat=True)
            .distinct()
        )
        if not points:
            raise RuleViolation("the account has no service in force", field="account")
        if len(points) > 1:
            raise RuleViolation(
                "the account has several service points: name the service point",
                field="service_point",
            )
        return ServicePoint.objects.get(pk=points[0]), holder
    raise RuleViolation("name the service point, the meter or the account", field="account")


def _planned_for(code: str, at: datetime) -> PlannedOutage | None:
    """The planned outage covering the service point at ``at``; the network is looked at
    only when one is in force (most reports of a storm have none)."""
    in_force = list(PlannedOutage.objects.filter(start_at__lte=at, end_at__gt=at))
    if not in_force:
        return None
    network = current_network()
    for planned in in_force:
        covered = planned.device_code in network and code in network
        if covered and network.is_below(code, planned.device_code):
            return planned
    return None


@dataclass(frozen=True)
class Received:
    report: OutageReport
    created: bool


def receive_report(
    *,
    service_point: ServicePoint,
    source: str,
    event_at: datetime,
    kind: str = ReportKind.OUT,
    account: Account | None = None,
    message_id: str | None = None,
    note: str = "",
) -> Received:
    """Keep a report (once per ``message_id``); a "still out" after a restoration reopens
    the service point's restored single-service outage, or starts one."""
    if message_id:
        earlier = OutageReport.objects.filter(message_id=message_id).first()
        if earlier is not None:
            return Received(earlier, False)
    planned = _planned_for(service_point.code, event_at)
    try:
        with transaction.atomic():
            report = OutageReport.objects.create(
                service_point=service_point,
                account=account,
                source=source,
                kind=kind,
                event_at=event_at,
                message_id=message_id or None,
                note=note[:500],
                planned=planned,
            )
    except IntegrityError:
        # the same message id arrived twice at once: the other request kept it
        return Received(OutageReport.objects.get(message_id=message_id), False)
    if kind == ReportKind.STILL_OUT and planned is None:
        restoration.still_out(report)
    return Received(report, True)


#: Report ids per UPDATE statement (well under SQLite's limit on bound parameters).
UPDATE_CHUNK = 500


def _window(
    network: Network, now: datetime, parameters: core.Parameters
) -> tuple[dict[str, list[tuple[int, int | None]]], list[core.Prediction], set[int]]:
    """The window's open reports by service point (with the outage each is in), their
    predictions, and the outages they are in."""
    rows = list(
        OutageReport.objects.filter(
            kind__in=(ReportKind.OUT,),
            planned__isnull=True,
            event_at__gte=now - parameters.window,
            event_at__lte=now,
        )
        .filter(Q(outage__isnull=True) | Q(outage__status=OutageStatus.OPEN))
        .values_list("pk", "service_point__code", "event_at", "outage_id")
    )
    ids_by_code: dict[str, list[tuple[int, int | None]]] = {}
    for pk, code, _, current in rows:
        ids_by_code.setdefault(code, []).append((pk, current))
    reports = [core.Report(code, at) for _, code, at, _ in rows]
    predictions = core.predict(network, reports, now=now, parameters=parameters) if rows else []
    return ids_by_code, predictions, {current for *_, current in rows if current is not None}


def refresh_predictions(now: datetime, parameters: core.Parameters | None = None) -> list[Outage]:
    """Roll the open reports of the window up to devices; keep one open outage per device.
    ``parameters``: the profile's (``prediction_parameters``) unless given.

    Run by the background prediction pass (``coopcis.apps.outages.predictor``), never
    inside a request. The window is read and rolled up before the write transaction
    begins, so SQLite's write lock (which intake waits on) is held only while the changes
    are written; only reports whose outage changes are written. Under the lock, if an
    outage the reading saw has been closed meanwhile, the window is read again. The
    ``PredictionState`` row is locked too: one pass writes at a time."""
    parameters = parameters or prediction_parameters()
    network = current_network()
    ids_by_code, predictions, seen = _window(network, now, parameters)
    with transaction.atomic():
        PredictionState.objects.select_for_update().filter(pk=1).first()
        open_outages = list(Outage.objects.select_for_update().filter(status=OutageStatus.OPEN))
        if not seen <= {outage.pk for outage in open_outages}:
            ids_by_code, predictions, _ = _window(network, now, parameters)
        return _apply(network, now, ids_by_code, predictions, open_outages)


def _apply(
    network: Network,
    now: datetime,
    ids_by_code: dict[str, list[tuple[int, int | None]]],
    predictions: list[core.Prediction],
    open_outages: list[Outage],
) -> list[Outage]:
    """Each prediction becomes an open outage or joins the one at, above or below it."""
    touched: list[Outage] = []
    for found in predictions:
        outage = _match(network, found, open_outages)
        merged = False
        if outage is None:
            outage = Outage.objects.create(
                device_code=found.device,
                device_kind=found.kind,
                started_at=found.start_at,
                predicted_at=now,
                affected=found.affected,
                reported=len(found.reported),
            )
            open_outages.append(outage)
        elif network.is_below(outage.device_code, found.device) and (
            outage.device_code != found.device
        ):
            # a higher device: this outage grows to it; open outages under it join
            for other in [o for o in open_outages if o.pk != outage.pk]:
                if other.parent_id is not None:
                    continue  # nested by staff: stays a device of its own
                if other.device_code in network and network.is_below(
                    other.device_code, found.device
                ):
                    OutageReport.objects.filter(outage=other).update(outage=outage)
                    Outage.objects.filter(parent=other).update(parent=outage)
                    other.delete()
                    open_outages.remove(other)
            outage.device_code, outage.device_kind = found.device, found.kind
            outage.affected = found.affected
            outage.started_at = min(outage.started_at, found.start_at)
            outage.predicted_at = now
            outage.save()
            merged = True
        moved = [
            pk
            for code in found.reported
            for pk, current in ids_by_code.get(code, [])
            if current != outage.pk
        ]
        _place(moved, outage)
        if moved or merged:
            outage.reported = (
                OutageReport.objects.filter(outage=outage)
                .values("service_point")
                .distinct()
                .count()
            )
            outage.save(update_fields=["reported"])
            touched.append(outage)
    return touched


def _place(report_ids: list[int], outage: Outage) -> None:
    """Put the reports in the outage; the first placement of each is stamped."""
    stamp = timezone.now()
    for start in range(0, len(report_ids), UPDATE_CHUNK):
        OutageReport.objects.filter(pk__in=report_ids[start : start + UPDATE_CHUNK]).update(
            outage=outage,
            predicted_at=Coalesce(F("predicted_at"), Value(stamp, output_field=DateTimeField())),
        )


def _match(network: Network, found: core.Prediction, open_outages: list[Outage]) -> Outage | None:
    """The open outage a prediction belongs to: at its device, above it, or below it
    (outages staff nested under another are left to them)."""
    open_outages = [outage for outage in open_outages if outage.parent_id is None]
    for outage in open_outages:
        if outage.device_code not in network:
            continue
        if network.is_below(found.device, outage.device_code):
            return outage
    for outage in open_outages:
        if outage.device_code in network and network.is_below(outage.device_code, found.device):
            return outage
    return None


@transaction.atomic
def set_estimate(outage: Outage, *, estimated_at: datetime | None, crew: str = "") -> Outage:
    changed = estimated_at is not None and estimated_at != outage.estimated_restoration_at
    outage.estimated_restoration_at = estimated_at
    outage.crew = crew.strip()[:80]
    outage.save(update_fields=["estimated_restoration_at", "crew"])
    if changed:
        tell(outage, "estimate")
    return outage


#: Restoring (whole or in part) lives in ``restoration``; kept here for callers of intake.
restore = restoration.restore
