"""Rate study: bill every meter of a membership for each local month, vectorized.

A co-op weighing a rate change bills its whole membership's interval data under a
schedule. Billing 10,000 meter-years one interval object at a time takes minutes;
this module computes the same determinants with numpy over whole columns and prices
them with exact integer arithmetic, so each meter-month equals, to the cent, what
:func:`~coopcis.core.rating.intervals.determinants_from_intervals` and
:func:`~coopcis.core.rating.engine.rate_bill` give for that meter-month's intervals.

The rules it mirrors (``rating.intervals``):

* an interval belongs to the local month (America/Denver, DST-aware) and the TOU
  period its **start** falls in;
* each meter's intervals have one length of 5, 15, 30 or 60 minutes and no gaps,
  duplicates or overlaps; delivered energy is never negative;
* NCP demand is the highest rolling 15-minute average kW inside the month (three
  consecutive 5-minute intervals, else each single interval); a TOU period's peak
  counts only windows wholly in that period.

Energy stays integer Wh and demand integer W (kW x 1000, exact because 60 / window
minutes is whole). A line's amount is ``quantity x rate`` rounded half up to the
cent in integers: never a float. Charge shapes without an exact integer form here
(demand rules, percentage fees, taxes, lighting) are priced by calling the engine
once per meter-month with these determinants: slower, never approximate.

No file I/O here: ``coopcis.commands.rate_study`` reads Parquet/CSV into
:class:`MeterRuns`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from math import gcd
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from coopcis.core.money import Money, round_half_up
from coopcis.core.periods import CO_OP_TIME_ZONE
from coopcis.core.rating.components.base import Stage
from coopcis.core.rating.components.base_energy_cost import BaseEnergyCost
from coopcis.core.rating.components.block_demand import BlockDemand
from coopcis.core.rating.components.block_energy import BlockEnergy
from coopcis.core.rating.components.cost_adjustment import CostAdjustment
from coopcis.core.rating.components.customer_charge import CustomerCharge
from coopcis.core.rating.components.flat_energy import FlatEnergy
from coopcis.core.rating.components.minimum_bill import MinimumBill
from coopcis.core.rating.components.tou_demand import TouDemand
from coopcis.core.rating.components.tou_energy import TouEnergy
from coopcis.core.rating.determinants import Determinants
from coopcis.core.rating.engine import rate_bill
from coopcis.core.rating.intervals import DEMAND_WINDOW_MINUTES, INTERVAL_MINUTES, local_period
from coopcis.core.rating.tariff import Tariff
from coopcis.core.rating.tou import TouSchedule

__all__ = [
    "MeterRuns",
    "StudyDataError",
    "StudyDeterminants",
    "exact_pricers",
    "group_by_meter",
    "in_meter_order",
    "merge_determinants",
    "price_exact",
    "price_study",
    "rate_study",
    "study_determinants",
]

Int64Array = npt.NDArray[np.int64]
IntArray = npt.NDArray[np.integer[Any]]
CHUNK = 1 << 20
CACHE_CHUNK = 1 << 16  # 512 KiB of int64 differences: stays in L2
INT64_SAFE = 1 << 62
DAY_TYPE_CODES = {"weekday": 0, "weekend": 1, "holiday": 2}


class StudyDataError(ValueError):
    """Interval data the study cannot bill; the message names the meter and local time."""


@dataclass(frozen=True, slots=True)
class MeterRuns:
    """Interval columns with each meter's rows together: meter ``i`` owns rows
    ``offsets[i]:offsets[i + 1]``.

    ``start`` holds UTC instants as integer ticks since the epoch (``ticks_per_second``
    of them a second, so Parquet's ms/us/ns columns need no conversion pass);
    ``energy_wh`` holds integer Wh of any integer dtype.

    ``shared_start``, when given, is every meter's starts: meters of
    ``len(shared_start)`` rows each (``offsets`` from 0), all over the same instants
    (a rate study's usual data), and ``start`` is not read (may be empty). A reader
    that can tell so without a start a row (a Parquet file's dictionary pages) saves
    writing and checking them.
    """

    meter_ids: tuple[str, ...]
    offsets: Int64Array
    start: Int64Array
    energy_wh: IntArray
    ticks_per_second: int = 1
    shared_start: Int64Array | None = None


@dataclass(frozen=True, slots=True)
class StudyDeterminants:
    """Determinants of every meter-month ("segment"), in meter then month order.

    ``energy_wh`` and the TOU sums are integer Wh; ``demand_w`` and its TOU peaks are
    integer W (kW x 1000). ``first_start``/``end`` are the segment's span in ticks.
    """

    meter_ids: tuple[str, ...]
    months: tuple[str, ...]
    segment_meter: Int64Array
    segment_month: Int64Array
    first_start: Int64Array
    end: Int64Array
    ticks_per_second: int
    energy_wh: Int64Array
    energy_wh_by_tou: dict[str, Int64Array] = field(default_factory=dict)
    demand_w: Int64Array | None = None
    demand_w_by_tou: dict[str, Int64Array] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.segment_meter)

    def determinants(
        self,
        index: int,
        *,
        time_zone: ZoneInfo = CO_OP_TIME_ZONE,
        power_factor: Decimal | None = None,
    ) -> Determinants:
        """The engine's :class:`Determinants` of segment ``index`` (as from its intervals)."""
        tps = self.ticks_per_second
        start_at = datetime.fromtimestamp(int(self.first_start[index]) / tps, UTC)
        end_at = datetime.fromtimestamp(int(self.end[index]) / tps, UTC)
        seconds = (int(self.end[index]) - int(self.first_start[index])) // tps
        demand = self.demand_w
        return Determinants(
            period=local_period(start_at, end_at, time_zone),
            hours=Decimal(seconds) / Decimal(3600),
            energy_kwh=Decimal(int(self.energy_wh[index])) / 1000,
            energy_kwh_by_tou={
                name: Decimal(int(wh[index])) / 1000 for name, wh in self.energy_wh_by_tou.items()
            },
            demand_kw=None if demand is None else Decimal(int(demand[index])) / 1000,
            demand_kw_by_tou={
                name: Decimal(int(w[index])) / 1000 for name, w in self.demand_w_by_tou.items()
            },
            power_factor=power_factor,
        )


# --- grouping and validation -------------------------------------------------------


def group_by_meter(
    *,
    meter_codes: IntArray,
    meter_names: Sequence[str],
    start: Int64Array,
    energy_wh: IntArray,
    ticks_per_second: int = 1,
) -> MeterRuns:
    """Group rows by meter (``meter_codes`` index ``meter_names``), keeping file order.

    Rows already grouped (the usual, pre-sorted layout) are not copied; otherwise a
    stable sort by meter gathers them, meters ordered by first appearance.
    """
    codes = np.asarray(meter_codes)
    if len(codes) == 0:
        raise StudyDataError("the file holds no intervals")
    change = np.flatnonzero(codes[1:] != codes[:-1]) + 1
    heads = np.concatenate(([0], change)).astype(np.int64)
    run_codes = codes[heads]
    if len(_distinct(run_codes)) != len(run_codes):
        order = np.argsort(codes, kind="stable")
        codes, start, energy_wh = codes[order], start[order], energy_wh[order]
        change = np.flatnonzero(codes[1:] != codes[:-1]) + 1
        heads = np.concatenate(([0], change)).astype(np.int64)
        run_codes = codes[heads]
    offsets = np.append(heads, np.int64(len(codes)))
    names = tuple(str(meter_names[int(code)]) for code in run_codes)
    return MeterRuns(names, offsets, start, energy_wh, ticks_per_second)


def _distinct(values: IntArray) -> IntArray:
    """The sorted distinct values: ``np.unique`` without its first call's import of
    ``numpy.ma`` (tens of milliseconds a study's batch threads would wait for)."""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def _start_at(runs: MeterRuns, rows: Any) -> Any:
    """``runs.start[rows]``, also for runs with a ``shared_start``."""
    shared = runs.shared_start
    if shared is None:
        return runs.start[rows]
    return shared[np.asarray(rows) % len(shared)]


def _with_start(runs: MeterRuns) -> MeterRuns:
    """Runs with every row's start (``shared_start`` repeated for each meter)."""
    shared = runs.shared_start
    if shared is None:
        return runs
    start = np.tile(shared, len(runs.meter_ids))
    return MeterRuns(runs.meter_ids, runs.offsets, start, runs.energy_wh, runs.ticks_per_second)


def _shared_steps(runs: MeterRuns, shared: Int64Array, hint: int | None) -> Int64Array | None:
    """Each meter's interval length when the shared starts are evenly spaced (by
    ``hint`` if given) and each meter has exactly them, else None: what
    :func:`_check_and_order` finds for the same rows written out."""
    rows, meters = len(shared), len(runs.meter_ids)
    if rows < 2 or not meters or len(runs.offsets) != meters + 1:
        return None
    if len(runs.energy_wh) != meters * rows:
        return None
    if (runs.offsets != np.arange(meters + 1, dtype=np.int64) * rows).any():
        return None
    diffs = np.diff(shared)
    step = int(diffs[0])
    if step <= 0 or (hint is not None and hint != step) or (diffs != step).any():
        return None
    return np.full(meters, step, dtype=np.int64)


def _describe(runs: MeterRuns, meter: int, ticks: int, zone: ZoneInfo) -> str:
    instant = datetime.fromtimestamp(ticks / runs.ticks_per_second, UTC).astimezone(zone)
    return f"meter {runs.meter_ids[meter]} at {instant.isoformat()}"


def _mismatches(start: Int64Array, low: int, high: int, step: int) -> int:
    """How many ``start[i + 1] - start[i]`` for ``i`` in ``[low, high)`` differ from ``step``."""
    count = 0
    size = min(CACHE_CHUNK, max(high - low, 0))
    buffer = np.empty(size, dtype=np.int64)
    differs = np.empty(size, dtype=bool)
    for chunk_low in range(low, high, CACHE_CHUNK):
        chunk_high = min(chunk_low + CACHE_CHUNK, high)
        diff, flags = buffer[: chunk_high - chunk_low], differs[: chunk_high - chunk_low]
        np.subtract(start[chunk_low + 1 : chunk_high + 1], start[chunk_low:chunk_high], out=diff)
        np.not_equal(diff, step, out=flags)
        count += int(np.count_nonzero(flags))
    return count


def _steps_all_equal(start: Int64Array, heads: Int64Array, step: int) -> bool:
    """Whether every in-meter difference of consecutive starts equals ``step``.

    Chunked so the differences stay in cache, and split over the CPUs (numpy
    releases the GIL); run boundaries are discounted by comparing the count of
    mismatches with the mismatches found at the boundaries.
    """
    pairs = len(start) - 1
    parts = max(1, min(os.cpu_count() or 1, pairs // CHUNK))
    edges = [pairs * part // parts for part in range(parts + 1)]
    if parts == 1:  # a small batch (or one CPU): no threads
        mismatches = _mismatches(start, 0, pairs, step)
    else:
        with ThreadPoolExecutor(max_workers=parts) as pool:
            counts = pool.map(
                lambda part: _mismatches(start, edges[part], edges[part + 1], step), range(parts)
            )
            mismatches = sum(counts)
    boundaries = heads[1:]
    at_boundaries = int(np.count_nonzero(start[boundaries] - start[boundaries - 1] != step))
    return mismatches == at_boundaries


def _same_starts(start: Int64Array, lengths: Int64Array, step: int) -> bool:
    """Whether every meter has the first meter's starts, which are ``step`` apart.

    The usual study (every meter over the same year) checked with one comparison per
    row against a row in cache, a few meters at a time; False as soon as a meter
    differs (then the spacing is checked meter by meter).
    """
    meters = len(lengths)
    if meters < 2 or (lengths != lengths[0]).any() or lengths[0] < 2:
        return False
    rows = int(lengths[0])
    if meters * rows != len(start):
        return False
    table = start.reshape(meters, rows)
    head = table[0]
    if (np.diff(head) != step).any():
        return False
    block = max(1, CACHE_CHUNK // rows)
    same = np.empty((block, rows), dtype=bool)
    for low in range(1, meters, block):
        part = table[low : low + block]
        flags = same[: len(part)]
        np.equal(part, head, out=flags)
        if not flags.all():
            return False
    return True


def _check_and_order(
    runs: MeterRuns, interval_minutes: int | None, zone: ZoneInfo
) -> tuple[MeterRuns, Int64Array]:
    """Return runs sorted in time within each meter, and each meter's interval length.

    Raises :class:`StudyDataError` on a duplicate, a gap or overlap, an unsupported
    length, or a meter whose length cannot be told (one interval and no hint).
    """
    tick_minute = 60 * runs.ticks_per_second
    shared = runs.shared_start
    hint_given = None if interval_minutes is None else interval_minutes * tick_minute
    shared_steps = None if shared is None else _shared_steps(runs, shared, hint_given)
    if shared_steps is not None:
        return runs, _supported(runs, shared_steps, zone)
    runs = _with_start(runs)  # a shared start that is not so regular: row by row
    heads, lengths = runs.offsets[:-1], np.diff(runs.offsets)
    start = runs.start
    known = lengths >= 2
    first_steps = np.where(known, start[np.minimum(heads + 1, len(start) - 1)] - start[heads], 0)
    candidates = _distinct(first_steps[known])
    if interval_minutes is not None:
        hint = interval_minutes * tick_minute
    elif len(candidates):
        hint = int(np.bincount(np.searchsorted(candidates, first_steps[known])).argmax())
        hint = int(candidates[hint])
    else:
        raise StudyDataError("cannot tell the interval length: pass the interval minutes")
    if (
        hint > 0
        and len(candidates) == 1
        and candidates[0] == hint
        and (_same_starts(start, lengths, hint) or _steps_all_equal(start, heads, hint))
    ):
        steps = np.full(len(heads), hint, dtype=np.int64)
    else:
        runs, steps = _slow_order(runs, hint, zone)
    return runs, _supported(runs, steps, zone)


def _supported(runs: MeterRuns, steps: Int64Array, zone: ZoneInfo) -> Int64Array:
    """``steps``, if every one is a supported interval length; else StudyDataError."""
    tick_minute = 60 * runs.ticks_per_second
    minutes = steps // tick_minute
    bad = (steps % tick_minute != 0) | ~np.isin(minutes, INTERVAL_MINUTES)
    if bad.any():
        meter = int(np.argmax(bad))
        raise StudyDataError(
            f"{_describe(runs, meter, int(_start_at(runs, runs.offsets[meter])), zone)}: "
            f"{steps[meter] / tick_minute:g}-minute intervals; supported lengths are "
            f"{', '.join(map(str, INTERVAL_MINUTES))} minutes"
        )
    return steps


def _slow_order(runs: MeterRuns, hint: int, zone: ZoneInfo) -> tuple[MeterRuns, Int64Array]:
    """Sort within meters if needed, then find each meter's length and any defect."""
    lengths = np.diff(runs.offsets)
    row_run = np.repeat(np.arange(len(lengths)), lengths)
    start, energy = runs.start, runs.energy_wh
    diff = np.diff(start)
    boundary = runs.offsets[1:-1] - 1
    diff[boundary] = 1
    if (diff <= 0).any():
        order = np.lexsort((start, row_run))
        start, energy = start[order], energy[order]
        runs = MeterRuns(runs.meter_ids, runs.offsets, start, energy, runs.ticks_per_second)
        diff = np.diff(start)
    sentinel = np.iinfo(np.int64).max
    padded = np.append(diff, sentinel)
    padded[boundary] = sentinel
    duplicates = np.flatnonzero(padded[:-1] == 0)
    if len(duplicates):
        row = int(duplicates[0])
        where = _describe(runs, int(row_run[row]), int(start[row]), zone)
        raise StudyDataError(f"{where}: duplicate interval")
    steps = np.minimum.reduceat(padded, runs.offsets[:-1])
    single = steps == sentinel
    if single.any():
        if hint <= 0:
            told = steps[~single]
            if not len(told):
                raise StudyDataError("cannot tell the interval length: pass the interval minutes")
            values, counts = np.unique(told, return_counts=True)
            hint = int(values[np.argmax(counts)])
        steps[single] = hint
    expected = np.repeat(steps, lengths)[:-1]
    wrong = np.flatnonzero((diff != expected) & (padded[:-1] != sentinel))
    if len(wrong):
        row = int(wrong[0])
        meter = int(row_run[row])
        where = _describe(runs, meter, int(start[row + 1]), zone)
        minutes = int(diff[row]) / (60 * runs.ticks_per_second)
        step_minutes = int(steps[meter]) / (60 * runs.ticks_per_second)
        raise StudyDataError(
            f"{where}: starts {minutes:g} minutes after the previous interval in "
            f"{step_minutes:g}-minute data (gap or mixed lengths)"
        )
    return runs, steps.astype(np.int64)


def _check_not_negative(runs: MeterRuns, zone: ZoneInfo) -> int:
    """Refuse negative energy; returns the largest value (0 when there is none)."""
    energy = runs.energy_wh
    if not len(energy):
        return 0
    if energy.min() < 0:
        row = int(np.argmax(energy < 0))
        meter = int(np.searchsorted(runs.offsets, row, side="right")) - 1
        raise StudyDataError(
            f"{_describe(runs, meter, int(_start_at(runs, row)), zone)}: "
            f"negative energy {int(energy[row])} Wh on a delivered channel"
        )
    return int(energy.max())


def _segment_sums(
    values: IntArray, seg_low: Int64Array, bound: int, grid: _Grid | None = None
) -> Int64Array:
    """int64 sums of ``values`` over segments starting at ``seg_low`` (to the next one).

    ``bound`` is the largest possible segment sum: when it fits the values' own
    dtype the sum runs in it (exact; no cast per element, which makes reduceat slow).
    With a ``grid`` (every meter the same rows in the same months) each month is one
    block of a meters x rows view summed along its rows: in the values' own dtype by
    one reduceat along the rows when ``bound`` fits it (a sum into int64 casts every
    element and costs twice as much), else block by block into int64.
    """
    if grid is not None:
        table = values[: grid.meters * grid.rows].reshape(grid.meters, grid.rows)
        heads = [low for low, _ in grid.spans]
        # each month runs to the next and the last to the end: one reduceat sums them
        whole = grid.spans[-1][1] == grid.rows and all(
            a[1] == b[0] for a, b in zip(grid.spans, grid.spans[1:], strict=False)
        )
        if whole and values.dtype != np.int64 and bound < np.iinfo(values.dtype).max:
            sums = np.add.reduceat(table, heads, axis=1, dtype=values.dtype)
            return sums.astype(np.int64).ravel()
        columns = [table[:, low:high].sum(axis=1, dtype=np.int64) for low, high in grid.spans]
        return np.stack(columns, axis=1).ravel()
    if values.dtype != np.int64 and bound < np.iinfo(values.dtype).max:
        return np.add.reduceat(values, seg_low).astype(np.int64)
    return np.add.reduceat(values.astype(np.int64, copy=False), seg_low)


@dataclass(frozen=True, slots=True)
class _Grid:
    """Meters that all start together, with one length and one step: segment ``i`` of
    every meter spans rows ``spans[i]`` of it."""

    meters: int
    rows: int
    spans: list[tuple[int, int]]


def _grid(
    runs: MeterRuns, first: Int64Array, steps: Int64Array, low: Int64Array, high: Int64Array
) -> _Grid | None:
    lengths = np.diff(runs.offsets)
    if (
        len(lengths) < 2
        or runs.offsets[0] != 0
        or (first != first[0]).any()
        or (lengths != lengths[0]).any()
        or (steps != steps[0]).any()
    ):
        return None
    base = int(runs.offsets[0])
    spans = [
        (int(lo) - base, int(hi) - base) for lo, hi in zip(low[0], high[0], strict=True) if hi > lo
    ]
    return _Grid(len(lengths), int(lengths[0]), spans)


# --- months and time of use --------------------------------------------------------


def _month_starts(
    first: int, latest: int, tps: int, zone: ZoneInfo
) -> tuple[list[str], Int64Array]:
    """Labels and tick instants of local month starts from ``first``'s month past ``latest``."""
    local = datetime.fromtimestamp(first / tps, UTC).astimezone(zone)
    year, month = local.year, local.month
    labels: list[str] = []
    instants: list[int] = []
    while True:
        instant = int(datetime(year, month, 1, tzinfo=zone).timestamp()) * tps
        instants.append(instant)
        if instant > latest:
            break
        labels.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return labels, np.array(instants, dtype=np.int64)


def _utc_offsets(
    first: int, latest: int, tps: int, zone: ZoneInfo
) -> tuple[Int64Array, Int64Array]:
    """Instants (ticks) where ``zone``'s UTC offset changes, and the offsets (seconds)."""
    # Whole UTC days either side, so batches of one file share one cached answer.
    day = 86_400
    return _utc_offsets_days(first // tps // day - 1, latest // tps // day + 2, tps, zone)


@lru_cache(maxsize=64)
def _utc_offsets_days(
    low_day: int, high_day: int, tps: int, zone: ZoneInfo
) -> tuple[Int64Array, Int64Array]:
    def offset(seconds: int) -> int:
        delta = datetime.fromtimestamp(seconds, UTC).astimezone(zone).utcoffset()
        return int(delta.total_seconds()) if delta is not None else 0

    day, low_s, high_s = 86_400, low_day * 86_400, high_day * 86_400
    changes, offsets = [np.iinfo(np.int64).min], [offset(low_s)]
    for seconds in range(low_s, high_s, day):
        if offset(seconds + day) != offset(seconds):
            lo, hi = seconds, seconds + day
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (mid, hi) if offset(mid) == offset(seconds) else (lo, mid)
            changes.append(hi * tps)
            offsets.append(offset(hi))
    instants, shifts = np.array(changes, dtype=np.int64), np.array(offsets, dtype=np.int64)
    instants.flags.writeable = shifts.flags.writeable = False  # shared through the cache
    return instants, shifts


def _tou_labels(start: Int64Array, tps: int, schedule: TouSchedule) -> npt.NDArray[np.int8]:
    """Index into ``schedule.periods`` of every interval, by its local start."""
    periods = schedule.periods
    changes, offsets = _utc_offsets(int(start.min()), int(start.max()), tps, schedule.time_zone)
    local_s = start // tps + offsets[np.searchsorted(changes, start, side="right") - 1]
    local_day = local_s // 86_400
    minute = (local_s - local_day * 86_400) // 60
    day_type = np.where((local_day + 3) % 7 >= 5, 1, 0)
    if schedule.holidays:
        epoch = date(1970, 1, 1)
        holidays = np.array([(day - epoch).days for day in schedule.holidays], dtype=np.int64)
        day_type = np.where(np.isin(local_day, holidays), 2, day_type)
    labels = np.full(len(start), periods.index(schedule.default_period), dtype=np.int8)
    for window in reversed(schedule.windows):  # the first matching window wins
        days = [DAY_TYPE_CODES[name] for name in window.day_types]
        mask = np.isin(day_type, days) & (minute >= window.start_minute)
        mask &= minute < window.end_minute
        labels[mask] = periods.index(window.period)
    return labels


# --- determinants ------------------------------------------------------------------


def study_determinants(
    runs: MeterRuns,
    *,
    tariff: Tariff,
    interval_minutes: int | None = None,
    time_zone: ZoneInfo = CO_OP_TIME_ZONE,
    every_determinant: bool = False,
) -> StudyDeterminants:
    """Determinants of each meter's intervals in each local calendar month.

    Computes energy always; TOU energy, NCP demand and TOU peaks when ``tariff``
    needs them (or all of them with ``every_determinant``, as the engine's
    ``determinants_from_intervals`` would). Raises :class:`StudyDataError`.
    """
    runs, steps = _check_and_order(runs, interval_minutes, time_zone)
    largest = _check_not_negative(runs, time_zone)
    tps = runs.ticks_per_second
    heads, lengths = runs.offsets[:-1], np.diff(runs.offsets)
    first = _start_at(runs, heads)
    months, bounds = _month_starts(
        int(first.min()), int(_start_at(runs, runs.offsets[1:] - 1).max()), tps, time_zone
    )
    # Each meter's rows are first + k x step, so a month start's row is arithmetic.
    position = np.clip(-((first[:, None] - bounds[None, :]) // steps[:, None]), 0, lengths[:, None])
    low, high = heads[:, None] + position[:, :-1], heads[:, None] + position[:, 1:]
    keep = high > low
    seg_low, seg_high = low[keep], high[keep]
    seg_meter = np.broadcast_to(np.arange(len(heads))[:, None], keep.shape)[keep]
    seg_month = np.broadcast_to(np.arange(len(months))[None, :], keep.shape)[keep]
    seg_step = steps[seg_meter]
    bound = largest * int((seg_high - seg_low).max())
    grid = _grid(runs, first, steps, low, high)
    short = (seg_step == 5 * 60 * tps) & (seg_high - seg_low < DEMAND_WINDOW_MINUTES // 5)
    if short.any():
        index = int(np.argmax(short))
        at = int(_start_at(runs, seg_low[index]))
        where = _describe(runs, int(seg_meter[index]), at, time_zone)
        raise StudyDataError(f"{where}: less than 15 minutes of data in {months[seg_month[index]]}")
    required = set(tariff.required_determinants)
    schedule = tariff.time_of_use
    wants_tou_energy = every_determinant or any(
        n.startswith("energy_kwh_by_tou.") for n in required
    )
    wants_tou_demand = every_determinant or any(n.startswith("demand_kw_by_tou.") for n in required)
    wants_tou = schedule is not None and (wants_tou_energy or wants_tou_demand)
    wants_demand = every_determinant or "demand_kw" in required
    labels = None
    if wants_tou and schedule and runs.shared_start is not None:  # one meter's, repeated
        labels = np.tile(_tou_labels(runs.shared_start, tps, schedule), len(heads))
    elif wants_tou and schedule:
        labels = _tou_labels(runs.start, tps, schedule)
    energy_by_tou: dict[str, Int64Array] = {}
    if labels is not None and schedule is not None and wants_tou_energy:
        for index, name in enumerate(schedule.periods):
            masked = np.where(labels == index, runs.energy_wh, 0)
            energy_by_tou[name] = _segment_sums(masked, seg_low, bound, grid)
    demand: Int64Array | None = None
    demand_by_tou: dict[str, Int64Array] = {}
    if wants_demand or (labels is not None and wants_tou_demand):
        tou_labels = labels if wants_tou_demand else None
        demand, demand_by_tou = _demand(runs, seg_low, seg_high, seg_step, tou_labels, schedule)
    return StudyDeterminants(
        meter_ids=runs.meter_ids,
        months=tuple(months),
        segment_meter=seg_meter.astype(np.int64),
        segment_month=seg_month.astype(np.int64),
        first_start=_start_at(runs, seg_low),
        end=_start_at(runs, seg_high - 1) + seg_step,
        ticks_per_second=tps,
        energy_wh=_segment_sums(runs.energy_wh, seg_low, bound, grid),
        energy_wh_by_tou=energy_by_tou,
        demand_w=demand if wants_demand else None,
        demand_w_by_tou=demand_by_tou,
    )


def _demand(
    runs: MeterRuns,
    seg_low: Int64Array,
    seg_high: Int64Array,
    seg_step: Int64Array,
    labels: npt.NDArray[np.int8] | None,
    schedule: TouSchedule | None,
) -> tuple[Int64Array, dict[str, Int64Array]]:
    """Peak rolling-15-minute W per segment (and per TOU period, whole windows only)."""
    tick_minute = 60 * runs.ticks_per_second
    minutes = seg_step // tick_minute
    window_minutes = np.where(minutes < DEMAND_WINDOW_MINUTES, DEMAND_WINDOW_MINUTES, minutes)
    factor = 60 // window_minutes  # W = window Wh x 60 / window minutes, a whole number
    window = runs.energy_wh.astype(np.int64)
    valid = np.ones(len(window), dtype=bool)
    same_label = labels
    five = minutes == 5
    if five.any():
        size = DEMAND_WINDOW_MINUTES // 5
        rows = np.repeat(five, seg_high - seg_low)
        summed = window.copy()
        for shift in range(1, size):
            summed[:-shift] += window[shift:]
        window = np.where(rows, summed, window)
        for shift in range(1, size):
            valid[seg_high[five] - shift] = False
        if labels is not None:
            agree = np.ones(len(labels), dtype=bool)
            for shift in range(1, size):
                agree[:-shift] &= labels[:-shift] == labels[shift:]
            same_label = np.where(rows & ~agree, np.int8(-1), labels)
    floor = np.iinfo(np.int64).min
    peak = np.maximum.reduceat(np.where(valid, window, floor), seg_low) * factor
    by_tou: dict[str, Int64Array] = {}
    if same_label is not None and schedule is not None:
        for index, name in enumerate(schedule.periods):
            masked = np.where(valid & (same_label == index), window, 0)
            by_tou[name] = np.maximum.reduceat(masked, seg_low) * factor
    return peak, by_tou


def merge_determinants(parts: Sequence[StudyDeterminants]) -> StudyDeterminants:
    """One :class:`StudyDeterminants` from parts over disjoint sets of meters, in order.

    A meter's determinants depend on its own intervals only, so a file can be
    studied batch by batch (each batch's arrays staying in cache) and joined here;
    months are every month from the parts' first to their last, as the whole file's
    study lists them (a month no part's span covers is still listed, with no bill), so
    the answer does not depend on how the file was cut into batches.
    """
    if not parts:
        raise StudyDataError("the file holds no intervals")
    if len(parts) == 1:
        return parts[0]
    meter_ids = tuple(name for part in parts for name in part.meter_ids)
    if len(set(meter_ids)) != len(meter_ids):
        raise ValueError("parts must hold disjoint meters")
    months = _month_span({month for part in parts for month in part.months})
    index = {month: number for number, month in enumerate(months)}
    meter_base = np.cumsum([0] + [len(part.meter_ids) for part in parts])
    segment_meter = np.concatenate(
        [part.segment_meter + base for part, base in zip(parts, meter_base.tolist(), strict=False)]
    )
    segment_month = np.concatenate(
        [
            np.array([index[month] for month in part.months], dtype=np.int64)[part.segment_month]
            for part in parts
        ]
    )

    def join(arrays: Sequence[Int64Array]) -> Int64Array:
        return np.concatenate(arrays).astype(np.int64, copy=False)

    def join_all(name: str) -> dict[str, Int64Array]:
        keys = getattr(parts[0], name).keys()
        return {key: join([getattr(part, name)[key] for part in parts]) for key in keys}

    demand = [part.demand_w for part in parts]
    ticks = {part.ticks_per_second for part in parts}
    if len(ticks) != 1:
        raise ValueError("parts must share ticks_per_second")
    return StudyDeterminants(
        meter_ids=meter_ids,
        months=months,
        segment_meter=segment_meter,
        segment_month=segment_month,
        first_start=join([part.first_start for part in parts]),
        end=join([part.end for part in parts]),
        ticks_per_second=ticks.pop(),
        energy_wh=join([part.energy_wh for part in parts]),
        energy_wh_by_tou=join_all("energy_wh_by_tou"),
        demand_w=None
        if any(d is None for d in demand)
        else join([d for d in demand if d is not None]),
        demand_w_by_tou=join_all("demand_w_by_tou"),
    )


def _month_span(labels: set[str]) -> tuple[str, ...]:
    """Every "YYYY-MM" from the first of ``labels`` to the last."""
    first, last = min(labels), max(labels)
    year, month = int(first[:4]), int(first[5:7])
    span = [first]
    while span[-1] < last:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        span.append(f"{year:04d}-{month:02d}")
    return tuple(span)


def in_meter_order(det: StudyDeterminants, meter_ids: Sequence[str]) -> StudyDeterminants:
    """``det`` with its meters in the order of ``meter_ids`` (the same set of meters),
    each meter's segments keeping their month order."""
    if tuple(meter_ids) == det.meter_ids:
        return det
    position = {name: index for index, name in enumerate(meter_ids)}
    if len(position) != len(det.meter_ids) or set(position) != set(det.meter_ids):
        raise ValueError("meter_ids must name the determinants' meters, once each")
    new_meter = np.array([position[name] for name in det.meter_ids], dtype=np.int64)
    segment_meter = new_meter[det.segment_meter]
    order = np.argsort(segment_meter, kind="stable")

    def take(values: Int64Array) -> Int64Array:
        return values[order]

    return StudyDeterminants(
        meter_ids=tuple(meter_ids),
        months=det.months,
        segment_meter=segment_meter[order],
        segment_month=take(det.segment_month),
        first_start=take(det.first_start),
        end=take(det.end),
        ticks_per_second=det.ticks_per_second,
        energy_wh=take(det.energy_wh),
        energy_wh_by_tou={name: take(v) for name, v in det.energy_wh_by_tou.items()},
        demand_w=None if det.demand_w is None else take(det.demand_w),
        demand_w_by_tou={name: take(v) for name, v in det.demand_w_by_tou.items()},
    )


# --- exact pricing -----------------------------------------------------------------

LinePricer = Callable[[StudyDeterminants], Int64Array]


def _cents(quantity: Int64Array, unit_denominator: int, rate: Decimal) -> Int64Array:
    """``quantity / unit_denominator x rate`` in cents, rounded half up (away from zero).

    Integer arithmetic only; int64 when the products cannot overflow, else Python ints.
    """
    numerator, denominator = rate.as_integer_ratio()
    numerator *= 100
    denominator *= unit_denominator
    common = gcd(numerator, denominator)
    numerator, denominator = numerator // common, denominator // common
    largest = int(np.abs(quantity).max()) if len(quantity) else 0
    scaled: Any
    if (2 * largest * abs(numerator) + denominator) < INT64_SAFE:
        scaled = quantity.astype(np.int64) * numerator
    else:
        scaled = quantity.astype(object) * numerator
    magnitude = (2 * abs(scaled) + denominator) // (2 * denominator)
    return np.asarray(np.where(scaled < 0, -magnitude, magnitude), dtype=np.int64)


def _whole(value: Decimal, scale: int) -> int | None:
    scaled = value * scale
    return int(scaled) if scaled == scaled.to_integral_value() else None


def _block_pricer(blocks: Sequence[Any], quantity: str, scale: int) -> LinePricer | None:
    """Cumulative blocks (``rating.components.blocks.split``) over an integer quantity."""
    bounds = [None if block.up_to is None else _whole(block.up_to, scale) for block in blocks]
    if any(b is None for b, block in zip(bounds, blocks, strict=True) if block.up_to is not None):
        return None

    def price(det: StudyDeterminants) -> Int64Array:
        values: Int64Array | None = getattr(det, quantity)
        assert values is not None
        total = np.zeros(len(values), dtype=np.int64)
        lower = 0
        for bound, block in zip(bounds, blocks, strict=True):
            upper = values if bound is None else np.minimum(values, bound)
            total += _cents(np.maximum(upper - lower, 0), scale, block.rate)
            lower = bound if bound is not None else lower
        return total

    return price


def _tou_demand_pricer(component: TouDemand) -> LinePricer | None:
    first_w = _whole(component.first_block_kw, 1000)
    if first_w is None:
        return None
    deduct_w = first_w if component.first_block_mode == "deduct_from_each_period" else 0

    def price(det: StudyDeterminants) -> Int64Array:
        by_tou = det.demand_w_by_tou
        total = np.zeros(len(det), dtype=np.int64)
        if component.first_block_kw > 0:
            peak = np.max(np.stack([by_tou[rate.period] for rate in component.rates]), axis=0)
            total += _cents(np.minimum(peak, first_w), 1000, component.first_block_rate_per_kw)
        for rate in component.rates:
            total += _cents(np.maximum(by_tou[rate.period] - deduct_w, 0), 1000, rate.rate)
        return total

    return price


def _constant(amount: Decimal) -> LinePricer:
    cents = int(round_half_up(amount) * 100)
    return lambda det: np.full(len(det), cents, dtype=np.int64)


def _charge_pricer(component: object) -> LinePricer | None:
    """The exact integer form of one CHARGE-stage component, or None if it has none."""
    if isinstance(component, CustomerCharge):
        return _constant(component.amount)
    if isinstance(component, FlatEnergy) or (
        isinstance(component, BaseEnergyCost) and not component.included_in_energy_rates
    ):
        rate = component.rate_per_kwh
        return lambda det: _cents(det.energy_wh, 1000, rate)
    if isinstance(component, BaseEnergyCost):
        return lambda det: np.zeros(len(det), dtype=np.int64)
    if isinstance(component, BlockEnergy):
        return _block_pricer(component.blocks, "energy_wh", 1000)
    if isinstance(component, BlockDemand):
        return _block_pricer(component.blocks, "demand_w", 1000)
    if isinstance(component, TouEnergy):
        rates = component.rates

        def tou_energy(det: StudyDeterminants) -> Int64Array:
            by_tou = det.energy_wh_by_tou
            parts = [_cents(by_tou[r.period], 1000, r.rate) for r in rates]
            return np.asarray(np.sum(parts, axis=0), dtype=np.int64)

        return tou_energy
    if isinstance(component, TouDemand):
        return _tou_demand_pricer(component)
    return None


def exact_pricers(tariff: Tariff) -> tuple[list[LinePricer], list[MinimumBill]] | None:
    """The integer form of each of ``tariff``'s lines, or None when one needs the engine."""
    if tariff.billing_demand or tariff.power_factor or tariff.load_factor:
        return None
    pricers: list[LinePricer] = []
    minimums: list[MinimumBill] = []
    for component in tariff.components:
        if isinstance(component, CostAdjustment):
            continue
        if isinstance(component, MinimumBill):
            minimums.append(component)
            continue
        if component.stage != Stage.CHARGE:
            return None
        pricer = _charge_pricer(component)
        if pricer is None:
            return None
        pricers.append(pricer)
    return pricers, minimums


def price_exact(tariff: Tariff, det: StudyDeterminants) -> Int64Array | None:
    """Bill totals in cents per segment, or None when a shape needs the engine.

    Mirrors ``engine.rate_bill`` without riders: CHARGE lines each rounded, then
    each minimum-bill shortfall against the rounded lines so far; per-kWh riders
    bill nothing without rider data. Demand/PF/load-factor rules, percentage fees
    and lighting charges are left to the engine.
    """
    lines = exact_pricers(tariff)
    if lines is None:
        return None
    pricers, minimums = lines
    total = np.zeros(len(det), dtype=np.int64)
    for pricer in pricers:
        total += pricer(det)
    for minimum in minimums:
        floor = int(round_half_up(minimum.minimum) * 100)
        total += np.maximum(floor - total, 0)
    return total


# --- the study ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StudyResult:
    """Each meter-month's bill total in cents, and how it was priced."""

    determinants: StudyDeterminants
    total_cents: Int64Array
    method: str  # "exact" (vectorized integers) or "engine" (rate_bill per meter-month)
    #: Energy values the file gave finer than a Wh, each rounded to the Wh (none dropped),
    #: and the rounding used ("half up" for decimals, "half-even" for float kWh).
    energy_not_whole_wh: int = 0
    energy_rounding: str = "half up"

    def total(self, index: int) -> Money:
        return Money(Decimal(int(self.total_cents[index])) / 100)


def rate_study(
    runs: MeterRuns,
    *,
    tariff: Tariff,
    interval_minutes: int | None = None,
    time_zone: ZoneInfo = CO_OP_TIME_ZONE,
    power_factor: Decimal | None = None,
) -> StudyResult:
    """Bill every meter for each local month under ``tariff`` (no riders: base rates).

    Prices exactly in integers when every charge shape allows it; otherwise calls
    :func:`rate_bill` once per meter-month with the same determinants.
    """
    det = study_determinants(
        runs,
        tariff=tariff,
        interval_minutes=interval_minutes,
        time_zone=time_zone,
        every_determinant=exact_pricers(tariff) is None,
    )
    return price_study(det, tariff=tariff, time_zone=time_zone, power_factor=power_factor)


def price_study(
    det: StudyDeterminants,
    *,
    tariff: Tariff,
    time_zone: ZoneInfo = CO_OP_TIME_ZONE,
    power_factor: Decimal | None = None,
) -> StudyResult:
    """Price determinants from :func:`study_determinants` (with ``every_determinant``
    when :func:`exact_pricers` gives None): exactly in integers, else by the engine.
    """
    totals = price_exact(tariff, det)
    if totals is not None:
        return StudyResult(det, totals, "exact")
    cents = []
    for index in range(len(det)):
        determinants = det.determinants(index, time_zone=time_zone, power_factor=power_factor)
        bill = rate_bill(tariff=tariff, determinants=determinants)
        cents.append(int(bill.total.amount * 100))
    return StudyResult(det, np.array(cents, dtype=np.int64), "engine")


# --- summary -----------------------------------------------------------------------

PERCENTILES = (5, 25, 50, 75, 95)


def _dollars(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def _half_up_quotient(numerator: int, denominator: int) -> int:
    magnitude = (2 * abs(numerator) + denominator) // (2 * denominator)
    return -magnitude if numerator < 0 else magnitude


def _nice_width(span_cents: int, bins: int) -> int:
    """A 1-2-5 x 10^k dollar bin width covering ``span_cents`` in about ``bins`` bins."""
    target = max(1, -(-span_cents // bins))
    width = 100
    while True:
        for step in (1, 2, 5):
            if width * step >= target:
                return width * step
        width *= 10


def summarize(result: StudyResult, *, bins: int = 10) -> dict[str, Any]:
    """Revenue by month and the distribution of bill totals, exact to the cent.

    Percentiles are nearest-rank (an actual bill, never interpolated); the mean is
    rounded half up to the cent; the histogram counts bills in ``[low, high)`` ranges
    of whole dollars.
    """
    det, cents = result.determinants, result.total_cents
    count = len(cents)
    by_month = np.bincount(det.segment_month, weights=None, minlength=len(det.months))
    revenue = [int(cents[det.segment_month == month].sum()) for month in range(len(det.months))]
    ordered = np.sort(cents)
    total = int(cents.sum())
    low, high = int(ordered[0]), int(ordered[-1])
    width = _nice_width(high - low + 1, bins)
    first_edge = (low // width) * width
    slots = (cents - first_edge) // width
    histogram = np.bincount(slots)
    return {
        "meters": len(det.meter_ids),
        "bills": count,
        "method": result.method,
        "energy_not_whole_wh": result.energy_not_whole_wh,
        "energy_rounding": result.energy_rounding,
        "revenue": _dollars(total),
        "revenue_by_month": {
            month: {"bills": int(by_month[index]), "revenue": _dollars(revenue[index])}
            for index, month in enumerate(det.months)
        },
        "total_min": _dollars(low),
        "total_max": _dollars(high),
        "total_mean": _dollars(_half_up_quotient(total, count)),
        "total_percentiles": {
            f"p{p}": _dollars(int(ordered[max(0, -(-p * count // 100) - 1)])) for p in PERCENTILES
        },
        "histogram": [
            {
                "from": _dollars(first_edge + slot * width),
                "to": _dollars(first_edge + (slot + 1) * width),
                "bills": int(number),
            }
            for slot, number in enumerate(histogram)
        ],
    }


def bill_rows(result: StudyResult) -> list[tuple[str, str, str]]:
    """``(meter_id, "YYYY-MM", total)`` of every bill, meters in file order."""
    det = result.determinants
    meters, months = det.meter_ids, det.months
    return [
        (meters[meter], months[month], _dollars(cents))
        for meter, month, cents in zip(
            det.segment_meter.tolist(),
            det.segment_month.tolist(),
            result.total_cents.tolist(),
            strict=True,
        )
    ]
