"""Estimated reads: the member's history from stored reads, an estimate stored as a read.

The rules are in ``coopcis.core.metering.estimation``; this module gathers the history
(energy between consecutive *actual* reads, so an estimate never feeds the next estimate),
a rate-class daily average for members without history, and stores the estimate as a
``RegisterRead`` of kind ESTIMATED, source ``ESTIMATE``, with its method. The next actual
read trues it up: ``period_usage`` takes the register difference from the estimate.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

from coopcis.apps.metering.models import Channel, Meter, ReadKind, RegisterRead
from coopcis.apps.premises.models import ServiceAgreement
from coopcis.core.metering.estimation import Estimate, estimate_usage
from coopcis.core.metering.history import UsageRecord
from coopcis.core.metering.registers import register_advance, register_after
from coopcis.core.periods import Period

ESTIMATE_SOURCE = "ESTIMATE"
HISTORY_YEARS = 2


def _records(meter: Meter, reads: list[RegisterRead]) -> list[UsageRecord]:
    records = []
    for previous, current in pairwise(reads):
        advance = register_advance(
            previous_wh=previous.register_wh,
            current_wh=current.register_wh,
            dials=meter.dials,
            multiplier=meter.multiplier,
        )
        if not advance.went_backwards:
            records.append(UsageRecord(previous.read_on, current.read_on, advance.energy_wh))
    return records


def usage_history(
    *, meter: Meter, channel: str = Channel.DELIVERED, through: date
) -> list[UsageRecord]:
    """Energy between consecutive actual reads dated up to ``through`` (two years back)."""
    since = through - timedelta(days=366 * HISTORY_YEARS + 100)
    reads = list(
        meter.register_reads.filter(
            channel=channel, kind=ReadKind.ACTUAL, read_on__lte=through, read_on__gte=since
        ).order_by("read_on")
    )
    return _records(meter, reads)


def agreements_for(*, meter: Meter, period: Period) -> list[ServiceAgreement]:
    """Agreements at the service points the meter was installed at during ``period``."""
    points = [
        installation.service_point_id
        for installation in meter.installations.all()
        if installation.installed_on < period.end
        and (installation.removed_on is None or installation.removed_on > period.start)
    ]
    return [
        agreement
        for agreement in ServiceAgreement.objects.filter(service_point_id__in=points)
        .select_related("account")
        .order_by("start_on")
        if agreement.start_on < period.end
        and (agreement.end_on is None or agreement.end_on > period.start)
    ]


def class_average_wh_per_day(*, rate_class: str, period: Period) -> Decimal | None:
    """Average daily use of the meters of a rate class over reads inside ``period``.

    Used only when a member has no history of their own (a new account).
    """
    reads = (
        RegisterRead.objects.filter(
            channel=Channel.DELIVERED,
            kind=ReadKind.ACTUAL,
            read_on__gte=period.start,
            read_on__lt=period.end,
            meter__installations__service_point__agreements__account__rate_class=rate_class,
        )
        .select_related("meter")
        .order_by("meter_id", "read_on")
        .distinct()
    )
    by_meter: dict[int, list[RegisterRead]] = defaultdict(list)
    for read in reads:
        by_meter[read.meter_id].append(read)
    daily = [
        Decimal(record.energy_wh) / record.period.days
        for meter_reads in by_meter.values()
        for record in _records(meter_reads[0].meter, meter_reads)
    ]
    return sum(daily, Decimal(0)) / len(daily) if daily else None


@dataclass(frozen=True)
class StoredEstimate:
    read: RegisterRead
    estimate: Estimate


def store_estimate(
    *,
    meter: Meter,
    previous: RegisterRead,
    read_on: date,
    channel: str = Channel.DELIVERED,
    read: RegisterRead | None = None,
) -> StoredEstimate:
    """Estimate use from ``previous`` to ``read_on`` and store it as an ESTIMATED read.

    ``read`` (optional) is a rejected read to turn into the estimate in place. Raises
    ``EstimationError`` when there is nothing to estimate from.
    """
    period = Period(previous.read_on, read_on)
    history = usage_history(meter=meter, channel=channel, through=previous.read_on)
    rate_classes = {a.account.rate_class for a in agreements_for(meter=meter, period=period)}
    class_average = None
    if not history and len(rate_classes) == 1:
        window = Period(period.start - timedelta(days=90), period.end)
        class_average = class_average_wh_per_day(rate_class=rate_classes.pop(), period=window)
    estimate = estimate_usage(
        period=period, history=history, class_average_wh_per_day=class_average
    )
    register_wh = register_after(
        previous_wh=previous.register_wh,
        energy_wh=estimate.energy_wh,
        multiplier=meter.multiplier,
        dials=meter.dials,
    )
    if read is None:
        read = RegisterRead(meter=meter, channel=channel, read_on=read_on)
    read.register_wh = register_wh
    read.demand_kw = None
    read.power_factor = None
    read.kind = ReadKind.ESTIMATED
    read.source = ESTIMATE_SOURCE
    read.estimate_method = estimate.method.value
    read.save()
    return StoredEstimate(read, estimate)
