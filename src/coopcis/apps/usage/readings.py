"""A service point's interval data over local days, from the meters installed there.

Interval blocks are stored per meter, channel and UTC day (``metering.IntervalBlock``);
an interval counts for a service point only while its meter was installed there
(``[installed_on, removed_on)`` local days), as reads do in the usage history. One query
for the installations and one for the blocks, whatever the range.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from coopcis.apps.metering.models import Channel, IntervalBlock, MeterInstallation, MeterKind
from coopcis.core.metering.espi_writer import IntervalValue
from coopcis.core.periods import CO_OP_TIME_ZONE


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=CO_OP_TIME_ZONE)


@dataclass(frozen=True, slots=True)
class IntervalMeter:
    """An interval meter's time at a service point."""

    meter_id: int
    serial: str
    interval_minutes: int
    net_meter: bool
    installed_on: date
    removed_on: date | None


def interval_meters(service_point_id: int) -> list[IntervalMeter]:
    """The interval meters ever installed at the service point, oldest first."""
    rows = (
        MeterInstallation.objects.filter(service_point_id=service_point_id)
        .exclude(meter__kind=MeterKind.REGISTER)
        .select_related("meter")
        .order_by("installed_on")
    )
    return [
        IntervalMeter(
            row.meter_id,
            row.meter.serial,
            row.meter.interval_minutes or 15,
            row.meter.kind == MeterKind.NET_METER,
            row.installed_on,
            row.removed_on,
        )
        for row in rows
    ]


def intervals(
    meters: Iterable[IntervalMeter],
    *,
    start_on: date,
    end_on: date,
    channel: str = Channel.DELIVERED,
) -> list[IntervalValue]:
    """Every interval starting in ``[start_on, end_on)`` (local days), oldest first."""
    windows = {}
    for meter in meters:
        low = max(start_on, meter.installed_on)
        high = min(end_on, meter.removed_on) if meter.removed_on else end_on
        if low < high:
            windows[meter.meter_id] = (local_midnight(low), local_midnight(high))
    if not windows:
        return []
    blocks = IntervalBlock.objects.filter(
        meter_id__in=windows,
        channel=channel,
        start_at__gte=local_midnight(start_on) - timedelta(days=1),
        start_at__lt=local_midnight(end_on),
    ).only("meter_id", "start_at", "interval_minutes", "values_wh", "count")
    found: list[IntervalValue] = []
    for block in blocks:
        low_at, high_at = windows[block.meter_id]
        length = timedelta(minutes=block.interval_minutes)
        start_at = block.start_at
        for index, energy_wh in enumerate(block.values()):
            interval_start = start_at + index * length
            if low_at <= interval_start < high_at:
                found.append(IntervalValue(interval_start, block.interval_minutes, energy_wh))
    found.sort(key=lambda value: value.start_at)
    return found
