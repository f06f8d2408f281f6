"""Store the meters' energy: monthly register reads and 15-minute interval blocks.

Register meters are modelled here a day at a time; interval meters are computed in a
second process (``IntervalProducer``) while this one writes, since the machine has two
cores and the database work and the numpy work each take one.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterator
from datetime import date
from typing import Any

from django.db import transaction

from coopcis.apps.demo.loader import LoadCounts, Progress
from coopcis.apps.demo.synth.loads import ChannelEnergy, EnergyModel, block_rows
from coopcis.apps.demo.synth.records import DemoPlan
from coopcis.apps.demo.synth.timeline import INTERVAL_MINUTES, Timeline
from coopcis.apps.metering.models import IntervalBlock, RegisterRead
from coopcis.apps.metering.partitions import ensure_months
from coopcis.site.bulk import Adapter, insert_rows

INTERVAL_CHUNK_METERS = 64
AHEAD_CHUNKS = 64
READ_COLUMNS = (
    "meter_id",
    "channel",
    "read_on",
    "register_wh",
    "demand_kw",
    "power_factor",
    "kind",
    "source",
)
BLOCK_COLUMNS = ("meter_id", "channel", "start_at", "interval_minutes", "count", "values_wh")


def store_register_meters(
    plan: DemoPlan,
    model: EnergyModel,
    meter_ids: list[int],
    counts: LoadCounts,
    progress: Progress,
) -> None:
    """Monthly reads of every register meter, in one transaction."""
    positions = [i for i, m in enumerate(plan.meters) if m.interval_minutes is None]
    meters = [plan.meters[i] for i in positions]
    daily = model.register_daily_wh(meters)
    rows: list[tuple[Any, ...]] = []
    adapt = Adapter()
    for row, (position, meter) in enumerate(zip(positions, meters, strict=True)):
        energy = model.register_channel(meter, daily[row])
        rows += _read_rows(meter_ids[position], energy, meter.read_dates, meter.read_sources, adapt)
    with transaction.atomic():
        insert_rows(RegisterRead, READ_COLUMNS, rows)
    counts.add(RegisterRead, len(rows))
    progress(len(positions))


class IntervalProducer:
    """Computes the interval meters' data in a second process (fork) while this one
    writes to the database, chunk by chunk in plan order; inline where fork is missing.

    At most ``AHEAD_CHUNKS`` chunks wait to be stored (about 11 MB each at 13 months), so
    memory stays bounded however many members the demo has.
    """

    def __init__(self, plan: DemoPlan, model: EnergyModel) -> None:
        global _PRODUCER_STATE
        positions = [i for i, m in enumerate(plan.meters) if m.interval_minutes is not None]
        self.chunks = [
            positions[i : i + INTERVAL_CHUNK_METERS]
            for i in range(0, len(positions), INTERVAL_CHUNK_METERS)
        ]
        _PRODUCER_STATE = (plan, model)
        self.pool: Any = None
        self.pending: deque[Any] = deque()
        if "fork" in multiprocessing.get_all_start_methods() and self.chunks:
            self.pool = multiprocessing.get_context("fork").Pool(1)
            for chunk in self.chunks[:AHEAD_CHUNKS]:
                self.pending.append(self.pool.apply_async(_produce_chunk, (chunk,)))

    @property
    def results(self) -> Iterator[list[_MeterData]]:
        if self.pool is None:
            yield from map(_produce_chunk, self.chunks)
            return
        for following in self.chunks[AHEAD_CHUNKS:]:
            done = self.pending.popleft()
            self.pending.append(self.pool.apply_async(_produce_chunk, (following,)))
            yield done.get()
        while self.pending:
            yield self.pending.popleft().get()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None


_MeterData = tuple[int, list[ChannelEnergy], list[tuple[str, int, int, bytes]]]
_PRODUCER_STATE: tuple[DemoPlan, EnergyModel] | None = None


def _produce_chunk(positions: list[int]) -> list[_MeterData]:
    assert _PRODUCER_STATE is not None
    plan, model = _PRODUCER_STATE
    produced = []
    for position in positions:
        channels = model.interval_channels(position, plan.meters[position])
        blocks = []
        for energy in channels:
            assert energy.intervals_wh is not None
            blocks += [
                (energy.channel, *row) for row in block_rows(model.timeline, energy.intervals_wh)
            ]
            energy.intervals_wh = None  # not worth pickling back
        produced.append((position, channels, blocks))
    return produced


def store_interval_meters(
    plan: DemoPlan,
    producer: IntervalProducer,
    timeline: Timeline,
    meter_ids: list[int],
    counts: LoadCounts,
    progress: Progress,
) -> None:
    """Interval blocks and reads of every interval meter, in one transaction, in chunks."""
    adapt = Adapter()
    starts = [adapt.instant(block.start_at) for block in timeline.blocks]
    if timeline.blocks:  # each UTC month its own partition on PostgreSQL
        ensure_months(timeline.blocks[0].start_at.date(), timeline.blocks[-1].start_at.date())
    with transaction.atomic():
        for chunk in producer.results:
            reads: list[tuple[Any, ...]] = []
            blocks: list[tuple[Any, ...]] = []
            for position, channels, packed in chunk:
                meter, meter_id = plan.meters[position], meter_ids[position]
                for energy in channels:
                    reads += _read_rows(
                        meter_id, energy, meter.read_dates, meter.read_sources, adapt
                    )
                blocks += [
                    (meter_id, channel, starts[number], INTERVAL_MINUTES, count, values)
                    for channel, number, count, values in packed
                ]
            insert_rows(RegisterRead, READ_COLUMNS, reads)
            insert_rows(IntervalBlock, BLOCK_COLUMNS, blocks)
            counts.add(RegisterRead, len(reads))
            counts.add(IntervalBlock, len(blocks))
            progress(len(chunk))


def _read_rows(
    meter_id: int, energy: ChannelEnergy, days: list[date], sources: list[str], adapt: Adapter
) -> list[tuple[Any, ...]]:
    return [
        (meter_id, energy.channel, adapt.day(day), register, demand, pf, "ACTUAL", source)
        for day, source, register, demand, pf in zip(
            days, sources, energy.register_wh, energy.demand_kw, energy.power_factor, strict=True
        )
    ]
