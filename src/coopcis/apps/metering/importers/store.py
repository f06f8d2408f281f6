"""Check parsed rows against meters and stored data; keep the good ones.

Refused, each with its line and meter: unknown meters; reads outside the meter's
installations; a read or interval the same file already gave (duplicate) or that overlaps
another; a read that disagrees with the one stored for that day; intervals on a register
meter or of the wrong length. An identical read already stored is skipped as "already
stored", so a second file carrying the same data changes nothing. An *actual* read for a
day that holds an *estimate* replaces the estimate (the exceptions about it become
REPLACED).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from coopcis.apps.metering.importers.common import (
    IntervalRow,
    MeterWindow,
    RegisterRow,
    SkippedRow,
    utc_day_start,
)
from coopcis.apps.metering.models import (
    Channel,
    ExceptionStatus,
    IntervalBlock,
    Meter,
    MeterKind,
    ReadException,
    ReadImportBatch,
    ReadKind,
    RegisterRead,
)
from coopcis.apps.metering.partitions import ensure_months
from coopcis.core.metering.registers import register_modulus_wh

INT32_MAX = 2**31 - 1


@dataclass
class Stored:
    rows_stored: int = 0
    estimates_replaced: int = 0


def store_register_rows(
    rows: list[RegisterRow],
    windows: dict[str, MeterWindow],
    batch: ReadImportBatch,
    skipped: list[SkippedRow],
    source: str,
) -> Stored:
    """Store the good register reads of ``rows``; append the refused ones to ``skipped``."""
    good: dict[tuple[int, str, object], RegisterRow] = {}
    for row in rows:
        reason = _register_problem(row, windows, good)
        if reason:
            skipped.append(SkippedRow(row.line, row.meter_serial, reason))
            continue
        good[(windows[row.meter_serial].meter.pk, row.channel, row.read_on)] = row
    stored = Stored()
    existing = _existing_reads(good)
    new_reads = []
    for key, row in good.items():
        meter = windows[row.meter_serial].meter
        current = existing.get(key)
        if current is None:
            new_reads.append(_register_read(row, meter, batch, source))
        elif current.kind == ReadKind.ESTIMATED:
            _replace_estimate(current, row, batch, source)
            stored.estimates_replaced += 1
        elif current.register_wh == row.register_wh:
            skipped.append(
                SkippedRow(row.line, row.meter_serial, f"read on {row.read_on} already stored")
            )
            continue
        else:
            reason = (
                f"read on {row.read_on} of {row.register_wh / 1000:,} kWh disagrees with the "
                f"stored {current.register_wh / 1000:,} kWh"
            )
            skipped.append(SkippedRow(row.line, row.meter_serial, reason))
            continue
        stored.rows_stored += 1
    RegisterRead.objects.bulk_create(new_reads, batch_size=1000)
    return stored


def _register_problem(
    row: RegisterRow,
    windows: dict[str, MeterWindow],
    good: dict[tuple[int, str, object], RegisterRow],
) -> str | None:
    window = windows.get(row.meter_serial)
    if window is None:
        return f"unknown meter {row.meter_serial!r}"
    meter = window.meter
    if row.register_wh >= register_modulus_wh(meter.dials):
        return f"register {row.register_wh / 1000:,} kWh does not fit on {meter.dials} dials"
    if row.channel == Channel.RECEIVED and meter.kind != MeterKind.NET_METER:
        return f"meter {meter.serial} is not a net meter: no RECEIVED channel"
    earlier = good.get((meter.pk, row.channel, row.read_on))
    if earlier is not None:
        return f"duplicate read for {row.read_on} (first on line {earlier.line})"
    return window.register_read_problem(row.read_on)


def _existing_reads(
    good: dict[tuple[int, str, object], RegisterRow],
) -> dict[tuple[int, str, object], RegisterRead]:
    if not good:
        return {}
    meter_ids = {meter_id for meter_id, _, _ in good}
    days = [read_on for _, _, read_on in good]
    reads = RegisterRead.objects.filter(
        meter_id__in=meter_ids,
        read_on__gte=min(days),
        read_on__lte=max(days),  # type: ignore[type-var]
    )
    return {(read.meter_id, read.channel, read.read_on): read for read in reads}


def _register_read(
    row: RegisterRow, meter: Meter, batch: ReadImportBatch, source: str
) -> RegisterRead:
    return RegisterRead(
        meter=meter,
        channel=row.channel,
        read_on=row.read_on,
        register_wh=row.register_wh,
        demand_kw=row.demand_kw,
        power_factor=row.power_factor,
        kind=ReadKind.ACTUAL,
        source=source,
        import_batch=batch,
    )


def _replace_estimate(
    read: RegisterRead, row: RegisterRow, batch: ReadImportBatch, source: str
) -> None:
    read.register_wh = row.register_wh
    read.demand_kw = row.demand_kw
    read.power_factor = row.power_factor
    read.kind = ReadKind.ACTUAL
    read.source = source
    read.estimate_method = ""
    read.import_batch = batch
    read.save()
    ReadException.objects.filter(read=read, status=ExceptionStatus.OPEN).update(
        status=ExceptionStatus.REPLACED,
        resolved_at=timezone.now(),
        resolved_by=batch.imported_by,
        note=f"actual read imported from {batch.file_name}",
    )


def store_interval_rows(
    rows: list[IntervalRow], windows: dict[str, MeterWindow], skipped: list[SkippedRow]
) -> Stored:
    """Store the good intervals of ``rows`` into per-UTC-day blocks; refuse the rest."""
    groups: dict[tuple[int, str], list[IntervalRow]] = defaultdict(list)
    for row in rows:
        reason = _interval_meter_problem(row, windows)
        if reason:
            skipped.append(SkippedRow(row.line, row.meter_serial, reason))
        else:
            groups[(windows[row.meter_serial].meter.pk, row.channel)].append(row)
    stored = Stored()
    for (_meter_id, channel), group in groups.items():
        meter = windows[group[0].meter_serial].meter
        stored.rows_stored += _store_group(meter, channel, group, skipped)
    return stored


def _interval_meter_problem(row: IntervalRow, windows: dict[str, MeterWindow]) -> str | None:
    window = windows.get(row.meter_serial)
    if window is None:
        return f"unknown meter {row.meter_serial!r}"
    meter = window.meter
    if meter.kind == MeterKind.REGISTER or not meter.interval_minutes:
        return f"meter {meter.serial} is a register meter: it has no interval data"
    if row.channel == Channel.RECEIVED and meter.kind != MeterKind.NET_METER:
        return f"meter {meter.serial} is not a net meter: no RECEIVED channel"
    if row.minutes is not None and row.minutes != meter.interval_minutes:
        return f"{row.minutes}-minute interval for a {meter.interval_minutes}-minute meter"
    if row.energy_wh < 0:
        return f"negative energy {row.energy_wh} Wh in an interval"
    if row.energy_wh > INT32_MAX:
        return f"{row.energy_wh} Wh in one interval is more than a block can hold"
    end_at = row.start_at + timedelta(minutes=meter.interval_minutes)
    return window.interval_problem(row.start_at, end_at)


def _store_group(
    meter: Meter, channel: str, group: list[IntervalRow], skipped: list[SkippedRow]
) -> int:
    minutes = meter.interval_minutes or 0
    length = timedelta(minutes=minutes)
    first_day = utc_day_start(min(row.start_at for row in group))
    last_day = utc_day_start(max(row.start_at for row in group)) + timedelta(days=1)
    blocks = list(
        IntervalBlock.objects.filter(
            meter=meter, channel=channel, start_at__gte=first_day, start_at__lt=last_day
        )
    )
    # (start, rank, line, Wh): stored data ranks first, then the file in line order.
    timeline: list[tuple[datetime, int, int, int, IntervalRow | None]] = []
    for block in blocks:
        for index, energy_wh in enumerate(block.values()):
            timeline.append((block.start_at + index * length, 0, 0, energy_wh, None))
    for row in group:
        timeline.append(
            (row.start_at.astimezone(first_day.tzinfo), 1, row.line or 0, row.energy_wh, row)
        )
    timeline.sort(key=lambda item: item[:3])
    kept: list[tuple[datetime, int, IntervalRow | None]] = []
    for start_at, _, _, energy_wh, row in timeline:
        if kept and start_at < kept[-1][0] + length:
            if row is not None:
                skipped.append(SkippedRow(row.line, meter.serial, _clash(start_at, kept[-1])))
            continue
        kept.append((start_at, energy_wh, row))
    new_days = {utc_day_start(start_at) for start_at, _, row in kept if row is not None}
    IntervalBlock.objects.filter(
        meter=meter,
        channel=channel,
        start_at__in=[b.start_at for b in blocks if utc_day_start(b.start_at) in new_days],
    ).delete()
    ensure_months(first_day.date(), (last_day - timedelta(days=1)).date())  # PostgreSQL
    IntervalBlock.objects.bulk_create(
        _blocks(
            meter, channel, [(s, e) for s, e, _ in kept if utc_day_start(s) in new_days], length
        ),
        batch_size=500,
    )
    return sum(1 for _, _, row in kept if row is not None)


def _clash(start_at: datetime, earlier: tuple[datetime, int, IntervalRow | None]) -> str:
    earlier_start, _, earlier_row = earlier
    what = "duplicates" if start_at == earlier_start else "overlaps"
    where = (
        f"line {earlier_row.line}"
        if earlier_row is not None and earlier_row.line
        else "stored data"
    )
    return f"interval at {start_at.isoformat()} {what} the interval at {earlier_start.isoformat()} ({where})"


def _blocks(
    meter: Meter, channel: str, intervals: list[tuple[datetime, int]], length: timedelta
) -> list[IntervalBlock]:
    """Runs of consecutive intervals, cut at each UTC midnight: one block per run and day."""
    blocks: list[IntervalBlock] = []
    run: list[tuple[datetime, int]] = []

    def flush() -> None:
        if run:
            values = [energy_wh for _, energy_wh in run]
            blocks.append(
                IntervalBlock(
                    meter=meter,
                    channel=channel,
                    start_at=run[0][0],
                    interval_minutes=int(length.total_seconds() // 60),
                    count=len(values),
                    values_wh=IntervalBlock.pack(values),
                )
            )
            run.clear()

    for start_at, energy_wh in intervals:
        if run and (
            start_at != run[-1][0] + length or utc_day_start(start_at) != utc_day_start(run[0][0])
        ):
            flush()
        run.append((start_at, energy_wh))
    flush()
    return blocks
