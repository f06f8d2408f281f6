"""A service point's use month by month from its register reads: the usage history.

Bills carry the energy coopcis billed; the reads go further back (imported from the
previous system, or loaded with the demo co-op), so the bill's 13-month chart and the
account page's usage card take a month's figure from the bill when there is one and
from the reads otherwise.

Each pair of consecutive reads of a meter's delivered register makes one span; the span
belongs to the billing month in which its closing read falls, as a bill's period does
(``Bill.period``: "the billing month in which the cycle's current read falls"). The
energy is the register advance times the meter's multiplier, rollover included
(:func:`coopcis.core.metering.registers.register_advance`). A span whose register went
backwards is left out: it waits in the VEE exception queue, not in the history.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from itertools import pairwise

from django.db.models import F

from coopcis.apps.metering.models import (
    Channel,
    IntervalBlock,
    MeterInstallation,
    ReadKind,
    RegisterRead,
)
from coopcis.core.metering.registers import register_advance
from coopcis.core.periods import CO_OP_TIME_ZONE


@dataclass(frozen=True, slots=True)
class ReadSpan:
    """The reads behind one month's use: previous and current register, multiplier, kind."""

    service_point_id: int
    meter_serial: str
    period: str
    previous_on: date
    previous_register_wh: int
    previous_estimated: bool
    current_on: date
    current_register_wh: int
    current_estimated: bool
    multiplier: int
    energy_wh: int
    demand_kw: Decimal | None = None  # the demand register at the closing read


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def read_spans(*, service_point_ids: Iterable[int], since: date) -> list[ReadSpan]:
    """Every span closing on or after ``since`` at these service points, oldest first (two
    queries: the installations, then the reads of their meters).

    A read counts for a service point only while its meter was installed there.
    """
    point_ids = set(service_point_ids)
    if not point_ids:
        return []
    installations = list(
        MeterInstallation.objects.filter(service_point_id__in=point_ids).select_related("meter")
    )
    if not installations:
        return []
    reads: dict[int, list[tuple[date, int, bool, Decimal | None]]] = defaultdict(list)
    rows = (
        RegisterRead.objects.filter(
            meter_id__in={installation.meter_id for installation in installations},
            channel=Channel.DELIVERED,
            read_on__gte=date.fromordinal(since.toordinal() - 62),
        )
        .order_by("meter_id", "read_on", "id")
        .values_list("meter_id", "read_on", "register_wh", "kind", "demand_kw")
    )
    for meter_id, read_on, register_wh, kind, demand_kw in rows:
        reads[meter_id].append((read_on, register_wh, kind == ReadKind.ESTIMATED, demand_kw))
    spans = []
    for installation in installations:
        meter = installation.meter
        installed = [
            read
            for read in reads.get(meter.pk, [])
            if installation.installed_on <= read[0]
            and (installation.removed_on is None or read[0] <= installation.removed_on)
        ]
        for previous, current in pairwise(installed):
            if current[0] < since or current[0] == previous[0]:
                continue
            advance = register_advance(
                previous_wh=previous[1],
                current_wh=current[1],
                dials=meter.dials,
                multiplier=meter.multiplier,
                previous_is_estimate=previous[2],
            )
            if advance.went_backwards:
                continue
            spans.append(
                ReadSpan(
                    service_point_id=installation.service_point_id,
                    meter_serial=meter.serial,
                    period=month_of(current[0]),
                    previous_on=previous[0],
                    previous_register_wh=previous[1],
                    previous_estimated=previous[2],
                    current_on=current[0],
                    current_register_wh=current[1],
                    current_estimated=current[2],
                    multiplier=meter.multiplier,
                    energy_wh=advance.energy_wh,
                    demand_kw=current[3],
                )
            )
    spans.sort(key=lambda span: (span.current_on, span.meter_serial))
    return spans


def monthly_energy(spans: Iterable[ReadSpan]) -> dict[int, dict[str, int]]:
    """Energy in Wh by service point and billing month (a month with a meter change adds
    the spans of both meters)."""
    months: dict[int, dict[str, int]] = defaultdict(dict)
    for span in spans:
        by_month = months[span.service_point_id]
        by_month[span.period] = by_month.get(span.period, 0) + span.energy_wh
    return months


def _block_days(block: IntervalBlock) -> list[tuple[date, int]]:
    """A block's energy split at the co-op's local midnights: a UTC-day block spans two
    local days (and a DST change is handled by measuring in UTC)."""
    values = block.values()
    length = timedelta(minutes=block.interval_minutes)
    start_at = block.start_at.astimezone(UTC)
    parts = []
    position = 0
    while position < len(values):
        moment = start_at + position * length
        day = moment.astimezone(CO_OP_TIME_ZONE).date()
        next_midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=CO_OP_TIME_ZONE)
        until = position + -(-(next_midnight.astimezone(UTC) - moment) // length)
        parts.append((day, sum(values[position:until])))
        position = until
    return parts


def daily_energy(
    *, service_point_ids: Iterable[int], start_on: date, end_on: date
) -> dict[int, dict[date, int]]:
    """Delivered energy in Wh by service point and local day over ``[start_on, end_on)``,
    from the interval data of the meters installed there (one query). Interval blocks are
    stored per UTC day, so each interval is put in the co-op's local day it starts in."""
    start_at = datetime.combine(start_on, time(0), tzinfo=CO_OP_TIME_ZONE)
    end_at = datetime.combine(end_on, time(0), tzinfo=CO_OP_TIME_ZONE)
    blocks = (
        IntervalBlock.objects.filter(
            meter__installations__service_point_id__in=set(service_point_ids),
            channel=Channel.DELIVERED,
            start_at__gte=start_at - timedelta(days=1),
            start_at__lt=end_at,
        )
        .annotate(point_id=F("meter__installations__service_point_id"))
        .order_by("start_at")
    )
    days: dict[int, dict[date, int]] = defaultdict(dict)
    for block in blocks:
        by_day = days[block.point_id]
        for day, energy_wh in _block_days(block):
            if start_on <= day < end_on:
                by_day[day] = by_day.get(day, 0) + energy_wh
    return days
