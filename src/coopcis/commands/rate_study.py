"""``coopcis rate study CODE --intervals FILE [--json] [--workers [--batch-rows N]]``: bill a
membership's interval data (``--workers``: a Parquet file in batches of row groups on
``coopcis worker`` processes, see "on workers" below).

Bills every meter in FILE for each local calendar month (America/Denver) under the
catalog schedule CODE, the way a co-op studies a rate change, and prints a summary
(revenue by month, bill distribution) or, with ``--json``, every bill.

Input columns (the pricing itself is ``coopcis.core.rating.study``):

* ``meter_id``: text or integer;
* ``start``: the interval start; Parquet ``timestamp`` with a time zone (any unit),
  CSV ISO-8601 text with a UTC offset (``2025-01-01T00:00:00-07:00``);
* energy, exactly one of: ``kwh`` as Parquet ``decimal128`` (scale up to 3 is exact
  Wh; finer is rounded half up to the Wh, the one rounding ``core.units`` allows on
  input), integer (whole kWh) or a 64-bit float (what pandas and polars write:
  ``kwh x 1000`` rounded half-even to the Wh); ``wh`` as a Parquet integer column
  (Wh, the fast layout); in CSV, ``kwh`` as decimal text (converted exactly, never
  via float). Values that were not whole Wh are counted in the summary, never dropped.

Interval length is read from the spacing of each meter's starts (``--interval-minutes``
when a meter has one interval). Errors: one line on stderr; exit 2 for an unknown
code or bad input.

Parquet is studied a batch of whole row groups at a time, one worker per CPU, each
batch's meters at once (meters are independent). The recommended layout is read in
place, without decoding: rows sorted by meter then start, whole meters in each row
group (a few hundred), no compression, ``meter_id`` dictionary-encoded (its runs come
from the index run lengths), ``start`` and ``wh`` (int32) PLAIN, one data page per
column chunk (``benchmarks/rate_study.py`` writes it). Any other valid file is
decoded by Arrow, batch by batch, but for what pandas and polars write, read from the
pages here: text ids from their dictionary index runs, even in compressed pages; float
kWh in PLAIN pages decompressed page by page and turned into int32 Wh while the page is
in cache; ``start`` from each row group's dictionary and its index pages, each distinct
index page decoded once (a regular file repeats them), and when the starts go round
one dictionary (every meter over the same instants) the study gets one meter's starts
instead of a start a row (``MeterRuns.shared_start``). A meter that row groups split
between batches is joined from the batches' edges; only a file not grouped by meter is
read whole. Every way gives the same bills and refuses the same defects.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import mmap
import operator
import os
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import numpy.typing as npt

from coopcis.catalog.tariffs import UnknownTariffError, load_tariff
from coopcis.core.errors import RuleViolation
from coopcis.core.money import MoneyError, to_decimal
from coopcis.core.rating.errors import MissingDeterminantError, TariffError
from coopcis.core.rating.study import (
    MeterRuns,
    StudyDataError,
    StudyDeterminants,
    StudyResult,
    exact_pricers,
    group_by_meter,
    in_meter_order,
    merge_determinants,
    price_study,
    rate_study,
    study_determinants,
    summarize,
)
from coopcis.core.rating.tariff import Tariff
from coopcis.core.units import kwh_to_wh

PROG = "coopcis rate study"
EXIT_USAGE = 2
TICKS_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}


class InputError(Exception):
    """Bad input (options or file): one line on stderr, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise InputError(f"{self.prog}: {message}")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Bill every meter-month of an interval file.")
    parser.add_argument("code", help="catalog tariff code, e.g. ocec-res")
    parser.add_argument("--intervals", required=True, type=Path, help="Parquet or CSV file")
    parser.add_argument("--json", action="store_true", help="print every bill as JSON")
    parser.add_argument("--on", type=date.fromisoformat, help="tariff version in effect on")
    parser.add_argument("--interval-minutes", type=int, help="length when it cannot be told")
    parser.add_argument("--power-factor", type=Decimal, help="average PF, for PF-adjusted rates")
    parser.add_argument(
        "--workers",
        action="store_true",
        help="study a Parquet file in batches of row groups on `coopcis worker` processes "
        "(PostgreSQL and COOPCIS_BROKER_URL); the file must be on a path they share",
    )
    parser.add_argument(
        "--batch-rows",
        type=int,
        default=WORKER_BATCH_ROWS,
        help=f"rows per batch with --workers (default {WORKER_BATCH_ROWS:,}; whole row "
        "groups, never splitting a meter)",
    )
    return parser


def main(argv: list[str]) -> int:
    """Run the study; returns the exit code (0, or 2 with one line on stderr)."""
    # What is allocated from here on is short-lived arrays and page headers: collecting
    # would only walk the objects of the imports again and again (gc.freeze sets them aside).
    gc.freeze()
    try:
        args = _parser().parse_args(argv)
        if args.batch_rows < 1:
            raise InputError(f"{PROG}: --batch-rows must be at least 1")
        tariff = load_tariff(args.code, on=args.on)
        if args.workers:
            result = study_on_workers(
                args.intervals,
                code=args.code,
                on=args.on,
                tariff=tariff,
                interval_minutes=args.interval_minutes,
                power_factor=args.power_factor,
                batch_rows=args.batch_rows,
            )
        else:
            result = study_file(
                args.intervals,
                tariff=tariff,
                interval_minutes=args.interval_minutes,
                power_factor=args.power_factor,
            )
    except SystemExit as exit_:  # --help
        return exit_.code if isinstance(exit_.code, int) else 0
    except RuleViolation as error:  # --workers where workers cannot run
        return _fail(f"{PROG}: {error}")
    except (InputError, UnknownTariffError, TariffError, StudyDataError) as error:
        return _fail(str(error) if isinstance(error, InputError) else f"{PROG}: {error}")
    except MissingDeterminantError as error:
        return _fail(f"{PROG}: {error} (interval data gives kWh and kW only)")
    except (OSError, ValueError) as error:
        return _fail(f"{PROG}: {args.intervals}: {error}")
    sys.stdout.write(study_json(args.code, result) if args.json else study_text(args.code, result))
    return 0


def _fail(message: str) -> int:
    print(" ".join(message.split()), file=sys.stderr)
    return EXIT_USAGE


# --- output ------------------------------------------------------------------------


def study_json(code: str, result: StudyResult) -> str:
    """``{"tariff", "bills": [{"meter_id", "month", "total"}], "summary"}`` as text."""
    # 100,000+ bills: no Python code per bill. Each bill is seven pieces (meter and
    # month prefixes, sign, dollars, ".", cents, "}" and separator) gathered by C
    # loops (itemgetter, map, slice assignment) into one list, then one join.
    det = result.determinants
    meters = [f'{{"meter_id": {json.dumps(name)}, "month": "' for name in det.meter_ids]
    months = [f'{month}", "total": "' for month in det.months]
    cents = result.total_cents
    count = len(cents)
    whole, part = np.divmod(np.abs(cents), 100)
    pieces: list[str] = [""] * (7 * count)
    pieces[0::7] = _gather(meters, det.segment_meter)
    pieces[1::7] = _gather(months, det.segment_month)
    pieces[2::7] = _gather(["", "-"], (cents < 0).astype(np.int64))
    pieces[3::7] = map(str, whole.tolist())
    pieces[4::7] = ["."] * count
    pieces[5::7] = _gather(CENTS, part)
    pieces[6::7] = ['"},\n'] * count
    bills = "".join(pieces)[:-2]  # no separator after the last bill
    summary = json.dumps(summarize(result), indent=1)
    return f'{{"tariff": {json.dumps(code)}, "bills": [\n{bills}\n], "summary": {summary}}}\n'


CENTS = [f"{cents:02d}" for cents in range(100)]


def _rounding_line(not_whole: int, rounding: str) -> str:
    if not not_whole:
        return "Energy: every value was a whole Wh."
    return f"Energy: {not_whole:,} values were not whole Wh; each was rounded {rounding} to the Wh."


def _gather(values: list[str], index: np.ndarray[Any, Any]) -> list[str]:
    """``[values[i] for i in index]`` without a Python loop."""
    if len(index) < 2:
        return [values[i] for i in index.tolist()]
    return list(operator.itemgetter(*index.tolist())(values))


def study_text(code: str, result: StudyResult) -> str:
    """The summary table: revenue by month, then the distribution of bill totals."""
    summary = summarize(result)
    lines = [
        f"Rate study {code}: {summary['meters']} meters, {summary['bills']} bills, "
        f"revenue ${summary['revenue']} (priced {summary['method']})",
        _rounding_line(summary["energy_not_whole_wh"], summary["energy_rounding"]),
        "",
        f"{'month':<8} {'bills':>8} {'revenue':>16}",
    ]
    for month, row in summary["revenue_by_month"].items():
        lines.append(f"{month:<8} {row['bills']:>8} {row['revenue']:>16}")
    lines += [
        "",
        "bill totals: "
        + ", ".join(f"{name} {value}" for name, value in summary["total_percentiles"].items()),
        f"min {summary['total_min']}, mean {summary['total_mean']}, max {summary['total_max']}",
        "",
        f"{'from':>12} {'to':>12} {'bills':>8}",
    ]
    peak = max(slot["bills"] for slot in summary["histogram"])
    for slot in summary["histogram"]:
        bar = "#" * (0 if not peak else round(40 * slot["bills"] / peak))
        lines.append(f"{slot['from']:>12} {slot['to']:>12} {slot['bills']:>8} {bar}")
    return "\n".join(lines) + "\n"


# --- input -------------------------------------------------------------------------


def read_intervals(path: Path, tally: _Tally | None = None) -> MeterRuns:
    """Read a Parquet or CSV interval file into meter runs (see the module docstring)."""
    if not path.exists():
        raise InputError(f"{PROG}: {path}: no such file")
    with path.open("rb") as handle:
        is_parquet = handle.read(4) == b"PAR1"
    return read_parquet(path, tally) if is_parquet else read_csv(path, tally)


def read_parquet(path: Path, tally: _Tally | None = None) -> MeterRuns:
    """Read the whole file into meter runs (every row's start in one int64 array).

    Each worker decodes one row group and copies it into its slice of preallocated
    ``start``/``energy`` arrays while it is still in cache, and finds that row
    group's meter runs from the dictionary indices (no per-row meter id array).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    handle = pq.ParquetFile(path, memory_map=True)
    energy_name, ticks = _check_schema(path, handle.schema_arrow)
    as_dictionary = ["meter_id"] if _is_text(handle.schema_arrow.field("meter_id").type) else None
    metadata = handle.metadata
    sizes = [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)]
    firsts = np.concatenate(([0], np.cumsum(sizes, dtype=np.int64)))
    start = np.empty(int(firsts[-1]), dtype=np.int64)
    energy = np.empty(int(firsts[-1]), dtype=np.int64)
    local = threading.local()

    def load(group: int) -> tuple[list[str], list[int]]:
        if not hasattr(local, "file"):
            local.file = pq.ParquetFile(
                path, read_dictionary=as_dictionary, memory_map=True, metadata=metadata
            )
        table = local.file.read_row_group(group, columns=["meter_id", "start", energy_name])
        row = int(firsts[group])
        _refuse_nulls(table, path)
        for chunk in table.column("start").chunks:
            start[row : row + len(chunk)] = chunk.cast(pa.int64()).to_numpy()
            row += len(chunk)
        _energy_wh(
            table.column(energy_name), energy_name, path, energy[int(firsts[group]) :], tally
        )
        return _meter_runs(table.column("meter_id"), int(firsts[group]))

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        parts = list(pool.map(load, range(len(sizes))))
    names: list[str] = []
    heads: list[int] = []
    for part_names, part_heads in parts:
        for name, head in zip(part_names, part_heads, strict=True):
            if not names or names[-1] != name:
                names.append(name)
                heads.append(head)
    return _runs(names, heads, start, energy, ticks)


def _is_text(kind: Any) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))


def _check_schema(path: Path, schema: Any) -> tuple[str, int]:
    """The energy column's name and the start column's ticks per second."""
    import pyarrow as pa

    energy_name = _energy_column(set(schema.names), path)
    missing = {"meter_id", "start"} - set(schema.names)
    if missing:
        raise InputError(f"{PROG}: {path}: missing column(s) {', '.join(sorted(missing))}")
    start_type = schema.field("start").type
    if not pa.types.is_timestamp(start_type) or start_type.tz is None:
        raise InputError(f"{PROG}: {path}: start must be a timestamp with a time zone")
    return energy_name, TICKS_PER_SECOND[start_type.unit]


def _refuse_nulls(table: Any, path: Path) -> None:
    for name in table.column_names:
        if table.column(name).null_count:
            raise InputError(f"{PROG}: {path}: column {name} has empty values")


# --- the study batch by batch --------------------------------------------------------

#: Rows a worker decodes and studies at once: big enough that per-batch overhead is
#: small, small enough that the batch's arrays are reused memory, not fresh pages.
BATCH_ROWS = 1 << 20


class _Fallback(Exception):
    """The batch-by-batch study cannot give the whole-file answer: read it whole."""


@dataclass
class _Edge:
    """A batch's first or last meter, which may go on in the neighbouring batch (row
    groups that split meters: what pandas and polars write)."""

    name: str
    start: npt.NDArray[np.int64]
    energy: np.ndarray[Any, Any]


@dataclass
class _Part:
    names: list[str]
    determinants: StudyDeterminants | None
    error: StudyDataError | None
    head: _Edge | None = None
    tail: _Edge | None = None


def study_file(
    path: Path,
    *,
    tariff: Tariff,
    interval_minutes: int | None = None,
    power_factor: Decimal | None = None,
) -> StudyResult:
    """Run the study on FILE: Parquet batch by batch when it can be, else read whole.

    The batch way decodes a batch of whole row groups and computes its meters'
    determinants at once (see :func:`_study_parquet`); the answer, bills and errors,
    is the whole-file study's.
    """
    if not path.exists():
        raise InputError(f"{PROG}: {path}: no such file")
    with path.open("rb") as handle:
        is_parquet = handle.read(4) == b"PAR1"
    every = exact_pricers(tariff) is None
    if is_parquet:
        tally = _Tally()
        try:
            det = _study_parquet(path, tariff, interval_minutes, every, tally)
        except _Fallback:
            pass
        else:
            return _with_tally(price_study(det, tariff=tariff, power_factor=power_factor), tally)
    tally = _Tally()
    runs = read_parquet(path, tally) if is_parquet else read_csv(path, tally)
    result = rate_study(
        runs, tariff=tariff, interval_minutes=interval_minutes, power_factor=power_factor
    )
    return _with_tally(result, tally)


def _with_tally(result: StudyResult, tally: _Tally) -> StudyResult:
    return replace(result, energy_not_whole_wh=tally.not_whole, energy_rounding=tally.rounding)


def _group_meter_id(metadata: Any, group: int, column: int) -> str | None:
    """The one meter id of a row group, from its statistics; None if it may hold several.

    Statistics are bounds (every value lies in ``[min, max]``, truncated or not), so
    ``min == max`` with a null count of 0 proves one id fills the row group.
    """
    stats = metadata.row_group(group).column(column).statistics
    if stats is None or not stats.has_min_max or not stats.has_null_count or stats.null_count:
        return None
    low = stats.min
    if low != stats.max or isinstance(low, bool) or not isinstance(low, (str, int)):
        return None
    return str(low)


#: One row group's meter names, their first rows, starts (ticks, or a :class:`_Cycle`
#: when asked for) and energy (Wh).
GroupData = tuple[list[str], list[int], "npt.NDArray[np.int64] | _Cycle", np.ndarray[Any, Any]]


class _ArrowGroups:
    """Row groups decoded by Arrow: any valid file."""

    def __init__(self, path: Path, tally: _Tally) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.path, self.tally = path, tally
        handle = pq.ParquetFile(path, memory_map=True)
        schema = handle.schema_arrow
        self.energy_name, self.ticks = _check_schema(path, schema)
        self.metadata = handle.metadata
        # Columns of the footer by their Parquet leaf (a nested column before one shifts
        # the leaves against Arrow's fields): -1 when the name is no leaf.
        leaves = self.metadata.schema
        paths = [leaves.column(index).path for index in range(len(leaves))]
        kind = schema.field("meter_id").type
        self.id_column = paths.index("meter_id") if "meter_id" in paths else -1
        self.by_statistics = self.id_column >= 0 and (
            pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_integer(kind)
        )
        # Text ids (large_string from pandas and polars too) come as dictionary indices:
        # runs are found on integers, never on a per-row string.
        self.as_dictionary = ["meter_id"] if _is_text(kind) else None
        groups = self.metadata.num_row_groups
        self.sizes = [self.metadata.row_group(group).num_rows for group in range(groups)]
        self.local = threading.local()
        column = leaves.column(max(self.id_column, 0))
        self.id_levels = (column.max_definition_level, column.max_repetition_level)
        if self.id_column < 0:
            self.id_levels = (2, 1)  # no leaf: Arrow reads the ids
        # Float kWh (pandas, polars) is decompressed page by page here and turned into
        # Wh while the page is in cache, instead of Arrow copying it out first.
        self.energy_column = paths.index("kwh") if "kwh" in paths else -1
        energy = leaves.column(max(self.energy_column, 0))
        self.float_pages = (
            self.energy_column >= 0
            and self.energy_name == "kwh"
            and pa.types.is_float64(schema.field("kwh").type)
            and energy.physical_type == "DOUBLE"
            and energy.max_definition_level <= 1
            and not energy.max_repetition_level
        )
        # start (INT64 ticks in Arrow's unit) is read here too: dictionary pages give
        # a row group's distinct starts, and its index pages are decoded once per
        # distinct page (regular interval data repeats them from row group to row group).
        self.start_column = paths.index("start") if "start" in paths else -1
        start = leaves.column(max(self.start_column, 0))
        self.start_pages = (
            self.start_column >= 0
            and start.physical_type == "INT64"
            and _leaf_ticks(start.logical_type) == self.ticks
            and start.max_definition_level <= 1
            and not start.max_repetition_level
        )
        self.start_level = start.max_definition_level
        self.indices = _IndexPages()
        wanted = self.as_dictionary or self.float_pages or self.start_pages
        self.data = _map(path) if wanted else None

    def _id_runs(self, low: int, high: int) -> tuple[list[str], list[int]] | None:
        """Meter runs of text ids read from the dictionary pages' index runs (decompressed
        page by page, no per-row array), or None: then Arrow decodes the column."""
        if self.data is None or self.id_levels[0] > 1 or self.id_levels[1]:
            return None
        names: list[str] = []
        heads: list[int] = []
        row = 0
        for group in range(low, high):
            try:
                chunk = self._chunk(group, self.id_column)
                found = _dictionary_runs(self.data, chunk, self.id_levels[0], False)
            except (_NotPlain, LookupError, ValueError, TypeError, AttributeError, OSError):
                return None
            if self.sizes[group] and found[1][:1] != [0]:
                return None
            for name, head in zip(*found, strict=True):
                if not names or names[-1] != name:
                    names.append(name)
                    heads.append(row + head)
            row += self.sizes[group]
        return names, heads

    def _chunk(self, group: int, column: int) -> _Chunk:
        meta = self.metadata.row_group(group).column(column)
        codec = CODECS.get(meta.compression)
        begin = meta.data_page_offset
        if meta.has_dictionary_page and 0 < meta.dictionary_page_offset < begin:
            begin = meta.dictionary_page_offset
        return _Chunk(
            -1 if codec is None else codec,
            begin,
            meta.total_compressed_size,
            meta.num_values,
            meta.physical_type,
        )

    def _float_kwh(self, low: int, high: int) -> np.ndarray[Any, Any] | None:
        """Float kWh of row groups ``[low, high)`` as integer Wh (int32 when every value
        fits), from PLAIN pages decompressed one by one; None: Arrow reads the column
        (another encoding, a null, a value the study refuses: Arrow's order of checks
        gives the message)."""
        data = self.data
        if not self.float_pages or data is None:
            return None
        rows = sum(self.sizes[low:high])
        for dtype in (np.int32, np.int64):
            out = np.empty(rows, dtype=dtype)
            try:
                not_whole = self._float_pages_into(data, low, high, out)
            except _TooWide:
                continue
            except (_NotPlain, InputError, LookupError, ValueError, TypeError, AttributeError):
                return None
            self.tally.add(not_whole, HALF_EVEN)
            return out
        return None

    def _float_pages_into(
        self, data: memoryview, low: int, high: int, out: np.ndarray[Any, Any]
    ) -> int:
        row = not_whole = 0
        level = self.metadata.schema.column(self.energy_column).max_definition_level
        for group in range(low, high):
            chunk = self._chunk(group, self.energy_column)
            for kind, page, body in _chunk_pages(data, chunk, level):
                encoding = page.get(2 if kind == PAGE_DATA else 4)
                if kind == PAGE_DICTIONARY or encoding != ENCODING_PLAIN:
                    raise _NotPlain
                count = page[1]
                if len(body) != 8 * count or row + count > len(out):
                    raise _NotPlain
                kwh = np.frombuffer(body, dtype="<f8", count=count)
                not_whole += _float_wh(kwh, self.path, out[row : row + count])
                row += count
        if row != len(out):
            raise _NotPlain
        return not_whole

    def _start_ticks(self, low: int, high: int) -> npt.NDArray[np.int64] | _Cycle | None:
        """``start`` of row groups ``[low, high)``: a :class:`_Cycle` when the starts go
        round one dictionary, else int64 ticks a row; None: Arrow reads the column
        (another encoding, a null: Arrow's order of checks gives the message)."""
        data = self.data
        if not self.start_pages or data is None:
            return None
        rows = sum(self.sizes[low:high])
        pieces: list[tuple[int, _Piece]] = []
        row = 0
        try:
            for group in range(low, high):
                chunk = self._chunk(group, self.start_column)
                for piece in _int64_pieces(data, chunk, self.start_level, self.indices):
                    pieces.append((row, piece))
                    found = piece[1]
                    row += len(found.values) if isinstance(found, _Indices) else len(found)
        except (_NotPlain, LookupError, ValueError, TypeError, AttributeError):
            return None
        if row != rows:
            return None
        cycle = _Cycle.of(pieces)
        if cycle is not None:
            return cycle
        out = np.empty(rows, dtype=np.int64)
        for row, (dictionary, found) in pieces:
            if isinstance(found, _Indices):
                if dictionary is not None:
                    found.take(dictionary, out[row : row + len(found.values)])
            else:
                out[row : row + len(found)] = found
        return out

    def load(self, low: int, high: int, *, cycle: bool = False) -> GroupData:
        """Row groups ``[low, high)`` decoded in one call (meter ids from statistics
        when each row group's name one meter); ``cycle``: starts that go round one
        dictionary are given as a :class:`_Cycle`, not written out a row each."""
        import pyarrow.parquet as pq

        ids = [
            _group_meter_id(self.metadata, group, self.id_column) if self.by_statistics else None
            for group in range(low, high)
        ]
        energy_name = self.energy_name
        known = all(name is not None for name in ids)
        runs = None if known else self._id_runs(low, high)
        energy = self._float_kwh(low, high)
        start = self._start_ticks(low, high)
        if isinstance(start, _Cycle) and not cycle:
            start = start.at(0, sum(self.sizes[low:high]))
        wanted = ([] if start is not None else ["start"]) + (
            [energy_name] if energy is None else []
        )
        wanted += [] if known or runs is not None else ["meter_id"]
        names: list[str] = []
        heads: list[int] = []
        if known:
            row = 0
            for name, size in zip(ids, self.sizes[low:high], strict=True):
                if size and name is not None and (not names or names[-1] != name):
                    names.append(name)
                    heads.append(row)
                row += size
        elif runs is not None:
            names, heads = runs
        if not wanted and start is not None and energy is not None:
            return names, heads, start, energy
        if not hasattr(self.local, "file"):
            self.local.file = pq.ParquetFile(
                self.path,
                memory_map=True,
                pre_buffer=True,
                metadata=self.metadata,
                read_dictionary=self.as_dictionary,
            )
        table = self.local.file.read_row_groups(range(low, high), columns=wanted, use_threads=False)
        _refuse_nulls(table, self.path)
        if not known and runs is None:
            names, heads = _meter_runs(table.column("meter_id"), 0)
        if start is None:
            start = _int64_values(table.column("start"))
        if energy is None:
            energy = _energy_values(table.column(energy_name), energy_name, self.path, self.tally)
        return names, heads, start, energy


class _PlainGroups:
    """Row groups read in place from the memory map (see "plain pages read in place");
    a row group that turns out otherwise is decoded by Arrow."""

    def __init__(self, path: Path, data: memoryview, layout: _Layout, tally: _Tally) -> None:
        self.path, self.data, self.layout, self.tally = path, data, layout, tally
        self.sizes, self.ticks = layout.sizes, layout.ticks
        self._arrow: _ArrowGroups | None = None
        self._lock = threading.Lock()

    def load(self, low: int, high: int, *, cycle: bool = False) -> GroupData:
        """Row groups ``[low, high)``, in place; by Arrow if one of them is otherwise."""
        names: list[str] = []
        heads: list[int] = []
        starts, energies = [], []
        row = 0
        for group in range(low, high):
            found = self._in_place(group)
            if found is None:
                return self._by_arrow(low, high, cycle)
            for name, head in zip(found[0], found[1], strict=True):
                if not names or names[-1] != name:
                    names.append(name)
                    heads.append(row + head)
            starts.append(found[2])
            energies.append(found[3])
            row += self.sizes[group]
        if len(starts) == 1:
            return names, heads, starts[0], energies[0]
        return names, heads, np.concatenate(starts), np.concatenate(energies)

    def _in_place(self, group: int) -> GroupData | None:
        layout, data = self.layout, self.data
        meter, start, energy = layout.chunks[group]
        try:
            names, heads = _dictionary_runs(data, meter, layout.levels[0], layout.integer_ids)
            starts = _plain_values(data, start, layout.levels[1], np.dtype("<i8"))
            values = _plain_values(data, energy, layout.levels[2], layout.energy_dtype)
        except (_NotPlain, LookupError, ValueError, TypeError, AttributeError, RecursionError):
            return None
        rows = self.sizes[group]
        if len(starts) != rows or len(values) != rows or (rows and heads[:1] != [0]):
            return None
        return names, heads, starts, values

    def _by_arrow(self, low: int, high: int, cycle: bool) -> GroupData:
        with self._lock:
            if self._arrow is None:
                self._arrow = _ArrowGroups(self.path, self.tally)
        return self._arrow.load(low, high, cycle=cycle)


def _map(path: Path, *, whole: bool = False) -> memoryview:
    """The file, memory-mapped read-only; ``whole``: with its page tables filled at once
    where possible (cheaper than a fault per page when every byte will be read)."""
    with path.open("rb") as raw:
        populate = getattr(mmap, "MAP_POPULATE", 0) if whole else 0
        if populate:
            try:
                flags = mmap.MAP_SHARED | populate
                return memoryview(mmap.mmap(raw.fileno(), 0, flags=flags, prot=mmap.PROT_READ))
            except OSError:
                pass
        return memoryview(mmap.mmap(raw.fileno(), 0, access=mmap.ACCESS_READ))


def _study_parquet(
    path: Path, tariff: Tariff, interval_minutes: int | None, every: bool, tally: _Tally
) -> StudyDeterminants:
    """Study a Parquet file in batches of whole row groups, one worker per CPU.

    A worker gets its batch's meter runs, starts and energy (read in place for the
    recommended layout, else decoded by Arrow) and runs :func:`study_determinants`
    on the batch while its arrays are in cache. Meters are independent, so the parts
    join into the whole file's determinants, provided no meter is found in two
    batches (an unsorted file) and no meter has a single interval without
    ``--interval-minutes`` (its length comes from the whole file); otherwise
    :class:`_Fallback`. Data errors are raised in file order only once the batches
    are known to be disjoint.
    """
    layout = _plain_layout(_map(path))
    source: _PlainGroups | _ArrowGroups
    source = (
        _PlainGroups(path, _map(path, whole=True), layout, tally)
        if layout
        else _ArrowGroups(path, tally)
    )
    sizes, ticks = source.sizes, source.ticks
    total = sum(sizes)
    if total == 0:
        raise _Fallback
    workers = os.cpu_count() or 1
    target = max(1, min(BATCH_ROWS, total // (4 * workers)))
    batches: list[tuple[int, int]] = []
    low, rows = 0, 0
    for group, size in enumerate(sizes):
        rows += size
        if rows >= target or group == len(sizes) - 1:
            batches.append((low, group + 1))
            low, rows = group + 1, 0

    def study(runs: MeterRuns) -> StudyDeterminants:
        return study_determinants(
            runs, tariff=tariff, interval_minutes=interval_minutes, every_determinant=every
        )

    def load(number: int) -> _Part:
        names, heads, start, energy = source.load(*batches[number], cycle=True)
        if not names:
            return _Part([], None, None)
        bounds = [*heads, len(energy)]

        def edge(index: int) -> _Edge:
            low, high = bounds[index], bounds[index + 1]
            starts = start.at(low, high) if isinstance(start, _Cycle) else start[low:high].copy()
            return _Edge(names[index], starts, energy[low:high].copy())

        head = edge(0) if number > 0 else None
        tail = edge(len(names) - 1) if number < len(batches) - 1 else None
        first = 1 if head else 0
        if len(names) == first:
            tail = None  # the batch's one meter is already its head
        last = len(names) - (1 if tail else 0)
        part = _Part(names[first:last], None, None, head, tail)
        if not part.names:
            return part
        low, high = bounds[first], bounds[last]
        if interval_minutes is None and np.any(np.diff(bounds[first : last + 1]) == 1):
            raise _Fallback  # a one-interval meter: its length is the whole file's mode
        runs = _batch_runs(
            part.names, [h - low for h in heads[first:last]], start, low, high, energy, ticks
        )
        try:
            part.determinants = study(runs)
        except StudyDataError as error:
            part.error = error
        return part

    with ThreadPoolExecutor(max_workers=workers) as pool:
        parts = list(pool.map(load, range(len(batches))))
    return _join_parts(parts, study, ticks, interval_minutes)


def _batch_runs(
    names: list[str],
    heads: list[int],
    start: npt.NDArray[np.int64] | _Cycle,
    low: int,
    high: int,
    energy: np.ndarray[Any, Any],
    ticks: int,
) -> MeterRuns:
    """Runs of meters ``names`` (first rows ``heads``, from 0) in rows ``[low, high)``
    of a batch: with a ``shared_start`` when the starts go round a cycle once a meter
    (every meter over the same instants), else with their starts written out."""
    if isinstance(start, _Cycle):
        size = len(start.values)
        lengths = np.diff([*heads, high - low])
        if len(set(names)) == len(names) and (lengths == size).all():
            offsets = np.arange(len(names) + 1, dtype=np.int64) * size
            return MeterRuns(
                tuple(names),
                offsets,
                np.empty(0, dtype=np.int64),
                energy[low:high],
                ticks,
                shared_start=start.at(low, low + size),
            )
        return _runs(names, heads, start.at(low, high), energy[low:high], ticks)
    return _runs(names, heads, start[low:high], energy[low:high], ticks)


def _join_parts(
    parts: list[_Part],
    study: Callable[[MeterRuns], StudyDeterminants],
    ticks: int,
    interval_minutes: int | None,
) -> StudyDeterminants:
    """The whole file's determinants from the batches' parts, meters in file order.

    Edges of consecutive batches naming the same meter are one meter split across row
    groups: joined, then all edges are studied at once. Data errors are raised in
    file order (an edge's is found by studying the edges one by one, only then).
    """
    pieces: list[_Part | list[_Edge]] = []
    for part in parts:
        for edge in (part.head, part if part.names else None, part.tail):
            previous = pieces[-1] if pieces else None
            if (
                isinstance(edge, _Edge)
                and isinstance(previous, list)
                and previous[-1].name == edge.name
            ):
                previous.append(edge)
                continue
            if edge is not None:
                pieces.append([edge] if isinstance(edge, _Edge) else edge)
    edges = [piece for piece in pieces if isinstance(piece, list)]
    order = [
        name
        for piece in pieces
        for name in (piece.names if isinstance(piece, _Part) else [piece[0].name])
    ]
    if len(set(order)) != len(order):
        raise _Fallback  # a meter in two places: the file is not grouped by meter
    joined = [
        (
            np.concatenate([e.start for e in group]),
            np.concatenate([e.energy.astype(np.int64, copy=False) for e in group]),
        )
        for group in edges
    ]
    if interval_minutes is None and any(len(start) == 1 for start, _ in joined):
        raise _Fallback
    edge_det: StudyDeterminants | None = None
    failed = any(part.error is not None for part in parts)
    if joined and not failed:
        try:
            edge_det = study(_edge_runs(edges, joined, ticks))
        except StudyDataError:
            failed = True
    if failed:
        edge_number = 0
        for piece in pieces:
            if isinstance(piece, _Part) and piece.error is not None:
                raise piece.error
            if isinstance(piece, list):
                study(_edge_runs([piece], [joined[edge_number]], ticks))
                edge_number += 1
    found = [part.determinants for part in parts if part.determinants is not None]
    det = merge_determinants([*found, *([edge_det] if edge_det else [])])
    return in_meter_order(det, order)


def _edge_runs(groups: list[list[_Edge]], joined: list[tuple[Any, Any]], ticks: int) -> MeterRuns:
    lengths = [len(start) for start, _ in joined]
    heads = np.concatenate(([0], np.cumsum(lengths)))[:-1].tolist()
    return _runs(
        [group[0].name for group in groups],
        heads,
        np.concatenate([start for start, _ in joined]),
        np.concatenate([energy for _, energy in joined]),
        ticks,
    )


def _int64_values(column: Any) -> npt.NDArray[np.int64]:
    """A timestamp column's ticks, zero-copy for one chunk (nulls were refused)."""
    arrays = [
        np.frombuffer(chunk.buffers()[1], dtype=np.int64, count=len(chunk), offset=8 * chunk.offset)
        for chunk in column.chunks
        if len(chunk)
    ]
    if len(arrays) == 1:
        return arrays[0]
    return np.concatenate(arrays) if arrays else np.empty(0, dtype=np.int64)


def _energy_values(column: Any, name: str, path: Path, tally: _Tally) -> np.ndarray[Any, Any]:
    """The energy column as integer Wh: zero-copy for one chunk of integer ``wh``; float
    kWh as int32 Wh when every value fits (half the memory for the study to read)."""
    import pyarrow as pa

    if name == "wh" and pa.types.is_integer(column.type) and column.num_chunks == 1:
        values: np.ndarray[Any, Any] = column.chunk(0).to_numpy()
        return values
    if name == "kwh" and pa.types.is_floating(column.type):
        narrow = np.empty(len(column), dtype=np.int32)
        try:
            _energy_wh(column, name, path, narrow, tally)
        except _TooWide:
            pass
        else:
            return narrow
    out = np.empty(len(column), dtype=np.int64)
    _energy_wh(column, name, path, out, tally)
    return out


# --- plain pages read in place -------------------------------------------------------
#
# The recommended layout (no compression; ``start`` and energy PLAIN; ``meter_id``
# dictionary-encoded) needs no decoding: values are read in place from the memory
# map and meter runs come from the dictionary indices' run-length encoding, never a
# per-row id. Anything else in a column chunk (compression, another encoding, a
# null, a page kind not listed) makes it return None, and Arrow decodes that row group.


class _NotPlain(Exception):
    """A column chunk the in-place reader does not handle."""


def _uvarint(data: memoryview, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data) or shift > 63:
            raise _NotPlain
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


#: Expected compact types of the Thrift fields read here: field -> (type, element type
#: of a list, spec of a struct or of a list's struct elements, required). A known field
#: of another type, or a required one missing, is a damaged file (Arrow refuses it
#: too); unknown fields are skipped, as Thrift does.
Spec = dict[int, tuple[int, int | None, "Spec | None", bool]]
BOOL, I32, I64, BINARY, LIST, STRUCT = 1, 5, 6, 8, 9, 12


def _fields(required: tuple[int, ...], kinds: dict[int, Any]) -> Spec:
    """A :data:`Spec` from ``field -> type`` or ``field -> (type, element, spec)``."""
    spec: Spec = {}
    for field, kind in kinds.items():
        kind, element, nested = kind if isinstance(kind, tuple) else (kind, None, None)
        spec[field] = (kind, element, nested, field in required)
    return spec


STATISTICS = _fields(
    (), {1: BINARY, 2: BINARY, 3: I64, 4: I64, 5: BINARY, 6: BINARY, 7: BOOL, 8: BOOL}
)
DATA_PAGE = _fields((1, 2, 3, 4), {1: I32, 2: I32, 3: I32, 4: I32, 5: (STRUCT, None, STATISTICS)})
DICTIONARY_PAGE = _fields((1, 2), {1: I32, 2: I32, 3: BOOL})
DATA_PAGE_V2 = _fields(
    (1, 2, 3, 4, 5, 6),
    {**dict.fromkeys(range(1, 7), I32), 7: BOOL, 8: (STRUCT, None, STATISTICS)},
)
PAGE_HEADER = _fields(
    (1, 2, 3),
    {
        1: I32,
        2: I32,
        3: I32,
        4: I32,
        5: (STRUCT, None, DATA_PAGE),
        7: (STRUCT, None, DICTIONARY_PAGE),
        8: (STRUCT, None, DATA_PAGE_V2),
    },
)
SCHEMA_ELEMENT = _fields((4,), {1: I32, 3: I32, 4: BINARY, 5: I32, 6: I32, 10: STRUCT})
COLUMN_METADATA = _fields(
    (1, 2, 3, 4, 5, 6, 7, 9),
    {
        1: I32,
        2: (LIST, I32, None),
        3: (LIST, BINARY, None),
        4: I32,
        **dict.fromkeys((5, 6, 7, 9, 10, 11), I64),
        12: (STRUCT, None, STATISTICS),
    },
)
COLUMN_CHUNK = _fields((2,), {1: BINARY, 2: I64, 3: (STRUCT, None, COLUMN_METADATA)})
ROW_GROUP = _fields((1, 2, 3), {1: (LIST, STRUCT, COLUMN_CHUNK), 2: I64, 3: I64})
FILE_METADATA = _fields(
    (1, 2, 3, 4),
    {1: I32, 2: (LIST, STRUCT, SCHEMA_ELEMENT), 3: I64, 4: (LIST, STRUCT, ROW_GROUP)},
)


def _thrift_value(
    data: memoryview, pos: int, kind: int, element: int | None = None, spec: Spec | None = None
) -> tuple[Any, int]:
    """One Thrift compact-protocol value of type ``kind`` (structs as {field: value})."""
    if kind in (1, 2):  # booleans inside a list
        return data[pos] == 1, pos + 1
    if kind == 3:
        return data[pos], pos + 1
    if kind in (4, 5, 6):
        raw, pos = _uvarint(data, pos)
        return (raw >> 1) ^ -(raw & 1), pos
    if kind == 7:
        return None, pos + 8
    if kind == 8:
        size, pos = _uvarint(data, pos)
        if pos + size > len(data):
            raise _NotPlain
        return bytes(data[pos : pos + size]), pos + size
    if kind in (9, 10):
        header = data[pos]
        pos += 1
        size, found = header >> 4, header & 0x0F
        if size == 15:
            size, pos = _uvarint(data, pos)
        if element is not None and found != element:
            raise _NotPlain
        items = []
        for _ in range(size):
            item, pos = _thrift_value(data, pos, found, None, spec)
            items.append(item)
        return items, pos
    if kind == 11:
        size, pos = _uvarint(data, pos)
        if size:
            types = data[pos]
            pos += 1
            for item in range(2 * size):
                _, pos = _thrift_value(data, pos, types & 0x0F if item % 2 else types >> 4)
        return None, pos
    if kind == 12:
        return _thrift_struct(data, pos, spec)
    raise _NotPlain


def _thrift_struct(
    data: memoryview, pos: int, spec: Spec | None = None, *, until: int | None = None
) -> tuple[dict[int, Any], int]:
    """A struct as ``{field: value}``; with ``until``, only its fields up to that number
    (read until a later one starts: writers put fields in order), unchecked.

    Integers (most fields of a page header) are read here, not by a call to
    :func:`_thrift_value` each: a study reads thousands of page headers, holding the
    interpreter lock.
    """
    fields: dict[int, Any] = {}
    field = 0
    end = len(data)
    while True:
        if pos >= end:
            raise _NotPlain
        header = data[pos]
        pos += 1
        if header == 0:
            if spec and any(field not in fields for field in _required(spec)):
                raise _NotPlain  # a required field missing: damaged
            return fields, pos
        kind, delta = header & 0x0F, header >> 4
        if delta:
            field += delta
        else:
            raw, pos = _uvarint(data, pos)
            field = (raw >> 1) ^ -(raw & 1)
        if until is not None and field > until:
            return fields, pos
        expected = spec.get(field) if spec else None
        if expected is not None and (BOOL if kind == 2 else kind) != expected[0]:
            raise _NotPlain  # a known field of another type: damaged
        if kind in (1, 2):  # a boolean field's value is its type
            fields[field] = kind == 1
        elif 4 <= kind <= 6:  # i16, i32, i64: a zigzag varint
            if pos >= end:
                raise _NotPlain
            raw = data[pos]
            if raw < 0x80:
                pos += 1
            else:
                raw, pos = _uvarint(data, pos)
            fields[field] = (raw >> 1) ^ -(raw & 1)
        else:
            element, nested = (expected[1], expected[2]) if expected else (None, None)
            fields[field], pos = _thrift_value(data, pos, kind, element, nested)


#: Required fields of each spec, by the spec's id (the spec kept with them, so an id
#: is never taken for another spec's).
_REQUIRED: dict[int, tuple[Spec, tuple[int, ...]]] = {}


def _required(spec: Spec) -> tuple[int, ...]:
    """The required fields of a spec, found once."""
    found = _REQUIRED.get(id(spec))
    if found is None or found[0] is not spec:
        found = _REQUIRED[id(spec)] = (
            spec,
            tuple(field for field, (*_, need) in spec.items() if need),
        )
    return found[1]


PAGE_DATA, PAGE_DICTIONARY, PAGE_DATA_V2 = 0, 2, 3
ENCODING_PLAIN, ENCODING_PLAIN_DICTIONARY, ENCODING_RLE, ENCODING_RLE_DICTIONARY = 0, 2, 3, 8


def _chunk_pages(
    data: memoryview, column: _Chunk, max_definition: int
) -> Iterator[tuple[int, Any, memoryview]]:
    """``(page kind, header, values)`` of each page of a column chunk, decompressed
    one at a time as the caller takes it (so it is used while it is in cache).

    Definition levels (an optional column) must say "present" for every value;
    ``values`` then holds exactly the page's encoded values. A defect found after some
    pages were given (the chunk's value count) raises :class:`_NotPlain` at the end.
    """
    for kind, header, raw in _raw_pages(data, column, max_definition):
        page, body = _page_values(kind, header, raw, column.codec, max_definition)
        yield kind, page, body


def _raw_pages(
    data: memoryview, column: _Chunk, max_definition: int
) -> Iterator[tuple[int, dict[int, Any], memoryview]]:
    """``(page kind, page header, stored body)`` of each page of a column chunk, the
    body as stored (compressed): see :func:`_page_values`. Checks the chunk's bounds
    and its value count (at the end, as :func:`_chunk_pages`)."""
    if column.codec not in CODEC_NAMES or max_definition > 1 or column.begin <= 0:
        raise _NotPlain
    if column.size < 0:
        raise _NotPlain
    pos, end = column.begin, column.begin + column.size
    if end > len(data):
        raise _NotPlain
    values = 0
    while pos < end:
        header, pos = _thrift_struct(data, pos, PAGE_HEADER)
        size, kind = header.get(3), header.get(1)
        if not isinstance(size, int) or size < 0 or pos + size > end:
            raise _NotPlain
        if kind in (PAGE_DATA, PAGE_DATA_V2):
            count = (header.get(5 if kind == PAGE_DATA else 8) or {}).get(1, -1)
            # a page's count sizes the arrays its reader makes: no more than the
            # chunk's values (an RLE run can claim billions in a few bytes)
            if not isinstance(count, int) or count < 0 or values + count > column.values:
                raise _NotPlain
            values += count
        elif kind != PAGE_DICTIONARY:
            raise _NotPlain  # index pages and unknown kinds
        yield kind, header, data[pos : pos + size]
        pos += size
    if pos != end or values != column.values:
        raise _NotPlain


def _page_values(
    kind: int, header: dict[int, Any], raw: memoryview, codec: int, max_definition: int
) -> tuple[Any, memoryview]:
    """A page's own header (data, dictionary or version 2) and its encoded values,
    decompressed, definition levels checked ("present" for every value) and cut off."""
    body = _page_body(raw, codec, header.get(2), kind)
    if kind == PAGE_DICTIONARY:
        return header.get(7) or {}, body
    if kind == PAGE_DATA:
        page = header.get(5) or {}
        count = page.get(1, -1)
        if max_definition:
            if len(body) < 4 or page.get(3) != ENCODING_RLE:
                raise _NotPlain  # (deprecated BIT_PACKED levels: Arrow's to read)
            length = int.from_bytes(body[:4], "little")
            _all_present(body[4 : 4 + length], count)
            body = body[4 + length :]
        return page, body
    page = header.get(8) or {}
    if page.get(2, -1) != 0 or page.get(6, 0) != 0:
        raise _NotPlain  # nulls, or repetition levels
    return page, body[page.get(5, 0) :]


#: Parquet codec numbers (CompressionCodec) the id runs reader decompresses, by name.
CODECS = {"UNCOMPRESSED": 0, "SNAPPY": 1, "GZIP": 2, "ZSTD": 6}
CODEC_NAMES = {0: None, 1: "snappy", 2: "gzip", 6: "zstd"}


def _page_body(raw: memoryview, codec: int, uncompressed: Any, kind: Any) -> memoryview:
    """A page's body as stored, or decompressed (version 1 and dictionary pages only)."""
    if not isinstance(uncompressed, int) or uncompressed < 0:
        raise _NotPlain
    if codec == 0:
        if uncompressed != len(raw):
            raise _NotPlain
        return raw
    if kind not in (PAGE_DATA, PAGE_DICTIONARY):
        raise _NotPlain  # a version 2 page compresses its values only
    import pyarrow as pa

    try:
        body = pa.Codec(CODEC_NAMES[codec]).decompress(raw, decompressed_size=uncompressed)
    except (pa.ArrowException, ValueError) as error:
        raise _NotPlain from error
    if len(body) != uncompressed:
        raise _NotPlain
    return memoryview(body).cast("B")  # unsigned bytes, as the file's own


def _all_present(levels: memoryview, count: int) -> None:
    """Definition levels (bit width 1) that are all 1, else :class:`_NotPlain`."""
    runs = _hybrid_runs(levels, 1, count)
    if any(value != 1 for value, _ in runs):
        raise _NotPlain


def _hybrid_parts(
    data: memoryview, width: int, count: int
) -> Iterator[tuple[int, int, memoryview | None]]:
    """The RLE/bit-packed hybrid encoding's first ``count`` values, run by run:
    ``(values, value, None)`` of an RLE run, ``(values, 0, packed bytes)`` of a run of
    bit-packed groups (``values`` cut at ``count``; width up to 32)."""
    pos, left = 0, count
    value_bytes = (width + 7) // 8
    while left > 0:
        header, pos = _uvarint(data, pos)
        if header & 1 == 0:
            repeat = header >> 1
            if repeat == 0 or pos + value_bytes > len(data):
                raise _NotPlain
            value = int.from_bytes(data[pos : pos + value_bytes], "little")
            pos += value_bytes
            taken = min(repeat, left)
            yield taken, value, None
        else:
            groups = header >> 1
            size = groups * width
            if groups == 0 or not 0 < width <= 32 or pos + size > len(data):
                raise _NotPlain
            taken = min(8 * groups, left)
            yield taken, 0, data[pos : pos + size]
            pos += size
        left -= taken


def _hybrid_runs(data: memoryview, width: int, count: int) -> list[tuple[int, int]]:
    """The RLE/bit-packed hybrid encoding's first ``count`` values as (value, repeat) runs."""
    runs: list[tuple[int, int]] = []

    def add(value: int, repeat: int) -> None:
        if runs and runs[-1][0] == value:
            runs[-1] = (value, runs[-1][1] + repeat)
        else:
            runs.append((value, repeat))

    for taken, value, packed in _hybrid_parts(data, width, count):
        if packed is None:
            add(value, taken)
            continue
        values = _unpack(np.frombuffer(packed, np.uint8), width, len(packed) // width)[:taken]
        change = np.flatnonzero(values[1:] != values[:-1]) + 1
        for low, high in zip([0, *change.tolist()], [*change.tolist(), taken], strict=True):
            add(int(values[low]), high - low)
    return runs


def _plain_values(
    data: memoryview, column: _Chunk, max_definition: int, dtype: np.dtype[Any]
) -> npt.NDArray[Any]:
    """A PLAIN fixed-width column chunk's values, in place when it is one page."""
    width = np.dtype(dtype).itemsize
    arrays = []
    for kind, page, body in _chunk_pages(data, column, max_definition):
        if kind == PAGE_DICTIONARY or page.get(2 if kind == PAGE_DATA else 4) != ENCODING_PLAIN:
            raise _NotPlain
        count = page[1]
        if len(body) != count * width:
            raise _NotPlain
        arrays.append(np.frombuffer(body, dtype=dtype, count=count))
    if len(arrays) == 1:
        return arrays[0]
    return np.concatenate(arrays) if arrays else np.empty(0, dtype=dtype)


def _dictionary_runs(
    data: memoryview, column: _Chunk, max_definition: int, integer: bool
) -> tuple[list[str], list[int]]:
    """Meter id and first row of each run, from dictionary pages and index runs."""
    names: list[str] = []
    heads: list[int] = []
    dictionary: list[str] | None = None
    row = 0
    for kind, page, body in _chunk_pages(data, column, max_definition):
        if kind == PAGE_DICTIONARY:
            if dictionary is not None or page.get(2, 0) not in (
                ENCODING_PLAIN,
                ENCODING_PLAIN_DICTIONARY,
            ):
                raise _NotPlain
            dictionary = _plain_dictionary(body, page.get(1, -1), column.physical, integer)
            continue
        encoding = page.get(2 if kind == PAGE_DATA else 4)
        if dictionary is None or encoding not in (
            ENCODING_PLAIN_DICTIONARY,
            ENCODING_RLE_DICTIONARY,
        ):
            raise _NotPlain
        count = page[1]
        if count == 0:
            continue
        if len(body) < 1:
            raise _NotPlain
        for index, repeat in _hybrid_runs(body[1:], body[0], count):
            if index >= len(dictionary):
                raise _NotPlain
            name = dictionary[index]
            if not names or names[-1] != name:
                names.append(name)
                heads.append(row)
            row += repeat
    return names, heads


def _leaf_ticks(logical: Any) -> int | None:
    """Ticks per second of a Parquet timestamp leaf (its logical type), else None."""
    try:
        found = json.loads(logical.to_json())
    except (AttributeError, TypeError, ValueError):
        return None
    if not isinstance(found, dict) or found.get("Type") != "Timestamp":
        return None
    return {"milliseconds": 1_000, "microseconds": 1_000_000, "nanoseconds": 1_000_000_000}.get(
        found.get("timeUnit", "")
    )


class _IndexPages:
    """Dictionary index pages decoded, by their stored bytes: the pages of a regular
    file's ``start`` are the same from row group to row group (each row group's
    dictionary lists its starts as first seen, so its indices count 0, 1, 2, ... for
    every meter alike), and one decoded page serves them all. Shared by the batch
    threads (a page decoded twice at once is harmless)."""

    LIMIT = 1 << 23  # indices kept, all pages together (64 MiB)

    def __init__(self) -> None:
        self.pages: dict[tuple[bytes, int, int, int], _Indices] = {}
        self.kept = 0

    def get(
        self, kind: int, header: dict[int, Any], raw: memoryview, codec: int, level: int
    ) -> _Indices:
        """The page's indices, decoded or as decoded before."""
        key = (bytes(raw), kind, codec, level)
        found = self.pages.get(key)
        if found is not None:
            return found
        page, body = _page_values(kind, header, raw, codec, level)
        count = page[1]
        if count < 0 or len(body) < 1:
            raise _NotPlain
        found = _Indices.of(_hybrid_values(body[1:], body[0], count))
        if self.kept + count <= self.LIMIT:  # else decoded each time (irregular data)
            self.pages[key] = found
            self.kept += count
        return found


@dataclass(frozen=True)
class _Indices:
    """A page's dictionary indices (as ``np.take`` wants them: no conversion each time
    they are used), the largest (-1 for none), and whether they count ``first, first +
    1, ...`` (``wraps``: back to 0 after the largest), as a regular file's starts do
    through their row group's dictionary."""

    values: npt.NDArray[np.intp]
    largest: int
    first: int
    counts: bool
    wraps: bool

    @classmethod
    def of(cls, decoded: npt.NDArray[np.uint32]) -> _Indices:
        values = decoded.astype(np.intp)
        values.flags.writeable = False
        if not len(values):
            return cls(values, -1, 0, False, False)
        largest, first = int(values.max()), int(values[0])
        size = largest + 1
        counting = np.arange(first, first + len(values), dtype=np.intp) % size
        counts = bool(np.array_equal(values, counting))
        return cls(values, largest, first, counts, counts and first + len(values) > size)

    def cycles(self, size: int) -> bool:
        """Whether the indices count through a dictionary of ``size`` entries."""
        return self.counts and (size == self.largest + 1 if self.wraps else size > self.largest)

    def take(self, dictionary: npt.NDArray[np.int64], out: npt.NDArray[np.int64]) -> None:
        """``out[:] = dictionary[values]``: by whole copies of the dictionary when the
        indices cycle through it (a memory copy, not a gather a value)."""
        size, first = len(dictionary), self.first
        if not self.cycles(size):
            np.take(dictionary, self.values, out=out, mode="clip")
            return
        count = len(self.values)
        head = min(count, size - first)
        out[:head] = dictionary[first : first + head]
        whole = (count - head) // size
        if whole:
            out[head : head + whole * size].reshape(whole, size)[...] = dictionary
        done = head + whole * size
        out[done:count] = dictionary[: count - done]


#: A run of an INT64 column's values: PLAIN values, or a dictionary and its indices.
_Piece = tuple["npt.NDArray[np.int64] | None", "npt.NDArray[np.int64] | _Indices"]


def _int64_pieces(
    data: memoryview, column: _Chunk, level: int, indices: _IndexPages
) -> Iterator[_Piece]:
    """An INT64 column chunk's pages as pieces: ``(None, values)`` of a PLAIN page,
    ``(dictionary, indices)`` of a dictionary-encoded one (not looked up yet)."""
    if column.physical != "INT64":
        raise _NotPlain
    dictionary: npt.NDArray[np.int64] | None = None
    for kind, header, raw in _raw_pages(data, column, level):
        if kind == PAGE_DICTIONARY:
            page, body = _page_values(kind, header, raw, column.codec, level)
            count = page.get(1, -1)
            if dictionary is not None or page.get(2, 0) not in (
                ENCODING_PLAIN,
                ENCODING_PLAIN_DICTIONARY,
            ):
                raise _NotPlain
            if count < 0 or len(body) != 8 * count:
                raise _NotPlain
            dictionary = np.frombuffer(body, dtype="<i8", count=count)
            continue
        page = header.get(5 if kind == PAGE_DATA else 8) or {}
        count, encoding = page.get(1, -1), page.get(2 if kind == PAGE_DATA else 4)
        if count < 0:
            raise _NotPlain
        if encoding == ENCODING_PLAIN:
            _, body = _page_values(kind, header, raw, column.codec, level)
            if len(body) != 8 * count:
                raise _NotPlain
            yield None, np.frombuffer(body, dtype="<i8", count=count)
        elif encoding in (ENCODING_PLAIN_DICTIONARY, ENCODING_RLE_DICTIONARY):
            if dictionary is None:
                raise _NotPlain
            found = indices.get(kind, header, raw, column.codec, level)
            if len(found.values) != count or found.largest >= len(dictionary):
                raise _NotPlain
            yield dictionary, found
        else:
            raise _NotPlain


@dataclass(frozen=True)
class _Cycle:
    """A batch's starts that go round one dictionary of ``len(values)`` instants: row
    ``r``'s start is ``values[(r + offset) % len(values)]`` (each row group's
    dictionary that one, rotated: what pandas and polars write of meters that all
    cover the same intervals). No start a row is written for it."""

    values: npt.NDArray[np.int64]
    offset: int

    @classmethod
    def of(cls, pieces: list[tuple[int, _Piece]]) -> _Cycle | None:
        """The cycle of ``(first row, piece)`` pieces, or None if they are otherwise."""
        if not pieces:
            return None
        base, found = pieces[0][1]
        if base is None or not isinstance(found, _Indices):
            return None
        size, offset = len(base), found.first
        checked: tuple[int, int] | None = None
        for row, (dictionary, found) in pieces:
            if dictionary is None or not isinstance(found, _Indices):
                return None
            if len(dictionary) != size or not found.cycles(size):
                return None
            # rows row, row + 1, ... are dictionary[found.first], ...: base rotated
            shift = (row + offset - found.first) % size
            if checked == (id(dictionary), shift):
                continue  # a row group's next page, as its first
            if not (
                np.array_equal(dictionary[: size - shift], base[shift:])
                and np.array_equal(dictionary[size - shift :], base[:shift])
            ):
                return None
            checked = (id(dictionary), shift)
        return cls(base, offset)

    def at(self, low: int, high: int) -> npt.NDArray[np.int64]:
        """The starts of rows ``[low, high)``."""
        size = len(self.values)
        return self.values[(np.arange(low, high, dtype=np.int64) + self.offset) % size]


def _hybrid_values(data: memoryview, width: int, count: int) -> npt.NDArray[np.uint32]:
    """The RLE/bit-packed hybrid encoding's first ``count`` values (width up to 32).

    Consecutive bit-packed runs (writers cut them every few thousand values) are one
    stream of whole bytes, unpacked at once.
    """
    if not 0 <= width <= 32:
        raise _NotPlain
    out = np.empty(count, dtype=np.uint32)
    row = first = 0
    packed: list[memoryview] = []  # bit-packed runs not yet unpacked, from row ``first``

    def flush() -> None:
        if packed:
            joined = packed[0] if len(packed) == 1 else b"".join(packed)
            raw = np.frombuffer(joined, dtype=np.uint8)
            values = _unpack(raw, width, len(raw) // width)
            out[first:row] = values[: row - first]
            packed.clear()

    for taken, value, part in _hybrid_parts(data, width, count):
        if part is None:
            flush()
            if value >> width:
                raise _NotPlain
            out[row : row + taken] = value
        else:
            if not packed:
                first = row
            packed.append(part)
        row += taken
    flush()
    return out


def _unpack(packed: npt.NDArray[np.uint8], width: int, groups: int) -> npt.NDArray[np.uint32]:
    """Bit-packed values (``groups`` x 8 of ``width`` bits, least significant first).

    Value ``j`` of each group of 8 starts ``j x width`` bits into the group's
    ``width`` bytes: read as a strided (unaligned) 8-byte word a group, shifted and
    masked (at most 39 bits wanted), one vector pass per ``j`` instead of one per bit.
    """
    padded = np.zeros(groups * width + 8, dtype=np.uint8)
    padded[: groups * width] = packed[: groups * width]
    out = np.empty((groups, 8), dtype=np.uint32)
    mask = np.uint64((1 << width) - 1)
    for phase in range(8):
        bit = phase * width
        words = np.ndarray((groups,), dtype="<u8", buffer=padded, offset=bit >> 3, strides=(width,))
        np.bitwise_and(words >> np.uint64(bit & 7), mask, out=out[:, phase], casting="unsafe")
    return out.ravel()


def _plain_dictionary(body: memoryview, count: int, physical: str, integer: bool) -> list[str]:
    if physical == "BYTE_ARRAY" and not integer:
        entries: list[str] = []
        pos = 0
        for _ in range(count):
            size = int.from_bytes(body[pos : pos + 4], "little")
            pos += 4
            if pos + size > len(body):
                raise _NotPlain
            entries.append(str(body[pos : pos + size], "utf-8"))
            pos += size
        if pos != len(body):
            raise _NotPlain
        return entries
    dtypes = {"INT32": np.dtype("<i4"), "INT64": np.dtype("<i8")}
    if not integer or physical not in dtypes or len(body) != count * dtypes[physical].itemsize:
        raise _NotPlain
    values = np.frombuffer(body, dtype=dtypes[physical], count=count).astype(np.int64)
    return [str(value) for value in values.tolist()]


@dataclass(frozen=True)
class _Chunk:
    """Where a column chunk's pages are, from the footer."""

    codec: int
    begin: int
    size: int
    values: int
    physical: str


@dataclass(frozen=True)
class _Layout:
    """What the footer says of a file the study can read in place."""

    sizes: list[int]
    ticks: int
    levels: tuple[int, int, int]  # max definition level of meter_id, start, wh
    integer_ids: bool
    energy_dtype: np.dtype[Any]
    chunks: list[tuple[_Chunk, _Chunk, _Chunk]]


#: A bigger footer (thousands of row groups) is left to Arrow's C++ parser.
FOOTER_LIMIT = 1 << 20
PHYSICAL = {1: "INT32", 2: "INT64", 6: "BYTE_ARRAY"}
TIMESTAMP_UNITS = {1: 1_000, 2: 1_000_000, 3: 1_000_000_000}  # MILLIS, MICROS, NANOS
SIGNED_INTEGER_CONVERTED = {15, 16, 17, 18}  # INT_8 .. INT_64


def _plain_layout(data: memoryview) -> _Layout | None:
    """The footer's row groups if the file has the recommended shape, else None.

    Columns ``meter_id`` (text or signed integer), ``start`` (INT64 timestamp
    adjusted to UTC) and ``wh`` (signed INT32/INT64), flat, none repeated, no
    ``kwh``; no encryption, no compression, no chunk in another file. Anything else,
    including every wrong file, is Arrow's to read and to explain.
    """
    try:
        return _parse_layout(data)
    except (_NotPlain, LookupError, ValueError, TypeError, AttributeError, RecursionError):
        return None


def _parse_layout(data: memoryview) -> _Layout | None:
    size = len(data)
    if size < 12 or bytes(data[size - 4 :]) != b"PAR1":
        return None
    length = int.from_bytes(data[size - 8 : size - 4], "little")
    if length > FOOTER_LIMIT or length + 12 > size:
        return None
    raw = data[size - 8 - length : size - 8]
    # The schema first (field 2, before the row groups): a file with kwh or without wh
    # is Arrow's, and its footer (hundreds of row groups from polars) is not parsed here.
    head, _ = _thrift_struct(raw, 0, FILE_METADATA, until=2)
    if 2 in head:
        names = {element.get(4) for element in head[2][1:]}
        if b"kwh" in names or not {b"meter_id", b"start", b"wh"} <= names:
            return None
    footer, _ = _thrift_struct(raw, 0, FILE_METADATA)
    schema = footer[2]
    if schema[0].get(5) != len(schema) - 1:
        return None  # nested columns
    leaves = {}
    for index, element in enumerate(schema[1:]):
        if element.get(5) is not None or element.get(3) not in (0, 1):
            return None
        leaves[element[4].decode("utf-8")] = (index, element)
    if "kwh" in leaves or not {"meter_id", "start", "wh"} <= set(leaves):
        return None
    meter, start, energy = (leaves[name][1] for name in ("meter_id", "start", "wh"))
    integer_ids = meter.get(1) in (1, 2) and _signed_integer(meter)
    text_ids = meter.get(1) == 6 and (1 in meter.get(10, {}) or meter.get(6) == 0)
    timestamp = start.get(10, {}).get(8)
    if (
        not (integer_ids or text_ids)
        or start.get(1) != 2
        or not timestamp
        or timestamp.get(1) is not True
    ):
        return None
    units = [unit for unit in timestamp.get(2, {}) if unit in TIMESTAMP_UNITS]
    if len(units) != 1 or energy.get(1) not in (1, 2) or not _signed_integer(energy):
        return None
    columns = [leaves[name][0] for name in ("meter_id", "start", "wh")]
    physical = [PHYSICAL[element[1]] for element in (meter, start, energy)]
    sizes: list[int] = []
    chunks: list[tuple[_Chunk, _Chunk, _Chunk]] = []
    for group in footer.get(4, []):
        found = []
        for column, kind in zip(columns, physical, strict=True):
            chunk = group[1][column]
            meta = chunk.get(3)
            if chunk.get(1) is not None or meta is None or meta.get(4) != 0:
                return None  # another file, encrypted, or compressed
            begin = meta[9]
            dictionary = meta.get(11)
            if dictionary is not None and 0 < dictionary < begin:
                begin = dictionary
            found.append(_Chunk(meta[4], begin, meta[7], meta[5], kind))
        sizes.append(group[3])
        chunks.append((found[0], found[1], found[2]))
    levels = tuple(int(element.get(3) == 1) for element in (meter, start, energy))
    return _Layout(
        sizes=sizes,
        ticks=TIMESTAMP_UNITS[units[0]],
        levels=(levels[0], levels[1], levels[2]),
        integer_ids=integer_ids,
        energy_dtype=np.dtype("<i4" if energy[1] == 1 else "<i8"),
        chunks=chunks,
    )


def _signed_integer(element: dict[int, Any]) -> bool:
    """A leaf read as a signed integer: no annotation, or a signed INTEGER one."""
    logical, converted = element.get(10), element.get(6)
    if logical is None:
        return converted is None or converted in SIGNED_INTEGER_CONVERTED
    integer = logical.get(10)
    return integer is not None and integer.get(2) is True


def _energy_column(names: set[str], path: Path) -> str:
    present = [name for name in ("kwh", "wh") if name in names]
    if len(present) != 1:
        raise InputError(f"{PROG}: {path}: need exactly one energy column, kwh or wh")
    return present[0]


class _Tally:
    """How many energy values were not whole Wh (each rounded to the Wh), and how."""

    def __init__(self) -> None:
        self.not_whole = 0
        self.rounding = HALF_UP
        self._lock = threading.Lock()

    def add(self, count: int, rounding: str) -> None:
        with self._lock:
            self.not_whole += count
            self.rounding = rounding


HALF_UP = "half up"
HALF_EVEN = "half-even"
#: A float kWh is taken only while its Wh is an exact float64 integer (below 2**53).
FLOAT_WH_LIMIT = float(2**53)
WHOLE_WH_TOLERANCE = 1e-6
CHUNK_ROWS = 1 << 15  # float64 work arrays of 256 KiB: they stay in L2


def _energy_wh(
    column: Any, name: str, path: Path, out: np.ndarray[Any, Any], tally: _Tally | None = None
) -> None:
    """Write the energy column as integer Wh into ``out`` (from its first row).

    Float kWh is converted straight into ``out``; an int32 ``out`` that a value does
    not fit raises :class:`_TooWide` (nothing counted in ``tally`` then).
    """
    import pyarrow as pa

    kind = column.type
    row = 0
    not_whole: int | None = None
    for chunk in column.chunks:
        if name == "kwh" and pa.types.is_floating(kind):
            count = _float_wh(chunk.to_numpy(), path, out[row : row + len(chunk)])
            not_whole = count + (not_whole or 0)
            row += len(chunk)
            continue
        if name == "wh" and pa.types.is_integer(kind):
            values = chunk.to_numpy()
        elif name == "kwh" and pa.types.is_integer(kind):
            values = chunk.to_numpy().astype(np.int64) * 1000
        elif name == "kwh" and pa.types.is_decimal(kind):
            values = _decimal_wh(chunk, kind.scale, tally)
        else:
            raise InputError(
                f"{PROG}: {path}: {name} is {kind}; use decimal128, integer or float kwh, or "
                "integer wh"
            )
        out[row : row + len(chunk)] = values
        row += len(chunk)
    if not_whole is not None and tally is not None:
        tally.add(not_whole, HALF_EVEN)


class _TooWide(Exception):
    """A Wh value outside the range of the int32 array it was to be written into."""


INT32_LIMIT = float(2**31)


def _float_wh(kwh: np.ndarray[Any, Any], path: Path, out: np.ndarray[Any, Any]) -> int:
    """Integer Wh from float kWh (what pandas and polars write), written into ``out``:
    ``kwh x 1000`` rounded half-even to the Wh; returns how many were not whole Wh.

    A value is a whole Wh when ``kwh x 1000`` is within a millionth of a Wh of an
    integer: float noise (polars writes 951 Wh / 1000 as 0.9510000000000001) is far
    smaller, any real fraction of a Wh far larger. The others are counted, never
    dropped. NaN, infinities and values past 2**53 Wh are refused; an int32 ``out``
    takes values within its range only (else :class:`_TooWide`). Worked in
    cache-sized chunks: five passes over a batch would go to memory.
    """
    size = min(CHUNK_ROWS, len(kwh))
    scaled, rounded = np.empty(size), np.empty(size)
    noisy = np.empty(size, dtype=bool)
    limit = INT32_LIMIT if out.dtype == np.int32 else None
    not_whole = 0
    for low in range(0, len(kwh), CHUNK_ROWS):
        part = kwh[low : low + CHUNK_ROWS]
        count = len(part)
        wh, whole = scaled[:count], rounded[:count]
        np.multiply(part, 1000.0, out=wh)
        np.rint(wh, out=whole)
        top, bottom = whole.max(), whole.min()
        if not (top < FLOAT_WH_LIMIT and bottom > -FLOAT_WH_LIMIT):  # NaN too
            bad = float(part[~(np.abs(whole) < FLOAT_WH_LIMIT)][0])
            raise InputError(
                f"{PROG}: {path}: kwh value {bad!r} is not a number of Wh the study takes"
            )
        if limit is not None and not (top < limit and bottom >= -limit):
            raise _TooWide
        np.copyto(out[low : low + count], whole, casting="unsafe")
        np.subtract(wh, whole, out=wh)
        # two reductions tell the usual chunk (every value whole) without a pass that
        # writes; only a chunk with a fraction is counted value by value
        if wh.max() > WHOLE_WH_TOLERANCE or wh.min() < -WHOLE_WH_TOLERANCE:
            np.abs(wh, out=wh)
            flags = np.greater(wh, WHOLE_WH_TOLERANCE, out=noisy[:count])
            not_whole += int(np.count_nonzero(flags))
    return not_whole


def _decimal_wh(chunk: Any, scale: int, tally: _Tally | None = None) -> np.ndarray[Any, Any]:
    """Exact Wh from decimal128 kWh: the unscaled integer x 10^(3 - scale).

    Finer than Wh (scale above 3) rounds half up to the Wh, as ``units.kwh_to_wh``.
    """
    import pyarrow as pa

    if chunk.type.bit_width != 128:
        chunk = chunk.cast(pa.decimal128(38, scale))
    words = np.frombuffer(chunk.buffers()[1], dtype=np.int64)
    words = words[2 * chunk.offset : 2 * (chunk.offset + len(chunk))]
    low, high = words[0::2], words[1::2]
    if not np.array_equal(high, low >> 63):
        raise InputError(f"{PROG}: a kwh value is too large for the study")
    if scale <= 3:
        return low * 10 ** (3 - scale)
    divisor = 10 ** (scale - 3)
    if tally is not None:
        tally.add(int(np.count_nonzero(low % divisor)), HALF_UP)
    magnitude = (2 * np.abs(low) + divisor) // (2 * divisor)
    return np.where(low < 0, -magnitude, magnitude)


def _meter_runs(column: Any, offset: int) -> tuple[list[str], list[int]]:
    """Meter id and first row of each run of equal ids, without a per-row id array."""
    import pyarrow as pa

    names: list[str] = []
    heads: list[int] = []
    for chunk in column.chunks:
        if pa.types.is_dictionary(chunk.type):
            values, dictionary = chunk.indices.to_numpy(), chunk.dictionary.to_pylist()
        elif pa.types.is_integer(chunk.type):
            values, dictionary = chunk.to_numpy(), None
        else:
            encoded = chunk.cast(pa.string()).dictionary_encode()
            values, dictionary = encoded.indices.to_numpy(), encoded.dictionary.to_pylist()
        if len(values) == 0:
            continue
        local = np.concatenate(([0], np.flatnonzero(values[1:] != values[:-1]) + 1))
        for row in local.tolist():
            name = str(values[row]) if dictionary is None else str(dictionary[values[row]])
            if not names or names[-1] != name or row != 0:
                names.append(name)
                heads.append(offset + row)
        offset += len(values)
    return names, heads


def _runs(
    names: list[str], heads: list[int], start: Any, energy: Any, ticks_per_second: int
) -> MeterRuns:
    if not heads:
        raise StudyDataError("the file holds no intervals")
    offsets = np.array([*heads, len(start)], dtype=np.int64)
    if len(set(names)) == len(names):
        return MeterRuns(tuple(names), offsets, start, energy, ticks_per_second)
    # A meter in several places: give each row its meter's code and regroup.
    distinct = list(dict.fromkeys(names))
    code_of = {name: index for index, name in enumerate(distinct)}
    codes = np.repeat(np.array([code_of[name] for name in names]), np.diff(offsets))
    return group_by_meter(
        meter_codes=codes,
        meter_names=distinct,
        start=start,
        energy_wh=energy,
        ticks_per_second=ticks_per_second,
    )


def read_csv(path: Path, tally: _Tally | None = None) -> MeterRuns:
    """Read ``meter_id,start,kwh`` text; a bad row stops with its line number."""
    ids: list[str] = []
    code_of: dict[str, int] = {}
    codes: list[int] = []
    starts: list[int] = []
    energy: list[int] = []
    not_whole = 0
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = [name.strip() for name in next(reader, [])]
        if not {"meter_id", "start", "kwh"} <= set(header):
            raise InputError(f"{PROG}: {path}: line 1: expected columns meter_id,start,kwh")
        at = {name: header.index(name) for name in ("meter_id", "start", "kwh")}
        for row in reader:
            if not row:
                continue
            try:
                meter, start, wh, kwh_not_whole = _csv_row(row, at)
            except (ValueError, IndexError, InvalidOperation, MoneyError) as error:
                raise InputError(f"{PROG}: {path}: line {reader.line_num}: {error}") from None
            if meter not in code_of:
                code_of[meter] = len(ids)
                ids.append(meter)
            codes.append(code_of[meter])
            starts.append(start)
            energy.append(wh)
            not_whole += kwh_not_whole
    if not codes:
        raise InputError(f"{PROG}: {path}: no intervals")
    if tally is not None:
        tally.add(not_whole, HALF_UP)
    return group_by_meter(
        meter_codes=np.array(codes, dtype=np.int64),
        meter_names=ids,
        start=np.array(starts, dtype=np.int64),
        energy_wh=np.array(energy, dtype=np.int64),
        ticks_per_second=1,
    )


def _csv_row(row: list[str], at: dict[str, int]) -> tuple[str, int, int, bool]:
    if len(row) < len(at):
        raise ValueError(f"expected {len(at)} fields, got {len(row)}")
    meter = row[at["meter_id"]].strip()
    if not meter:
        raise ValueError("empty meter_id")
    text = row[at["start"]].strip()
    start_at = datetime.fromisoformat(text)
    if start_at.utcoffset() is None:
        raise ValueError(f"start {text!r} has no UTC offset")
    if start_at.microsecond or start_at.second:
        raise ValueError(f"start {text!r} is not on a whole minute")
    kwh = to_decimal(row[at["kwh"]].strip())
    wh = kwh_to_wh(kwh)
    return meter, int(start_at.timestamp()), wh, kwh * 1000 != wh


# --- on workers (--workers) -----------------------------------------------------------
#
# ``coopcis rate study CODE --intervals FILE.parquet --workers`` cuts the file into
# batches of whole row groups, never between two row groups that one meter spans (each
# row group's first and last meter come from its statistics or its meter_id column
# alone), and queues them as a job for ``coopcis worker`` processes, which read the
# same file (a shared path). Each worker studies and prices its batch's meters, as
# :func:`_study_parquet` does a batch, and returns them as the batch's result: a
# meter-month is one bill made of hundreds or thousands of intervals, so a result is small
# (about 70 bytes of JSON a bill, 100-400 kB a batch of 4 Mi rows; docs/adr/0007) and is
# stored with the batch, in the transaction that records it
# done, with no file to write, rename or clean up. This process merges the results in
# file order (:func:`merge_parts`): the same bills, summary and refusals as the
# in-process study. Whatever the batch plan cannot answer the way the whole file would
# (a file not grouped by meter, a one-interval meter without ``--interval-minutes``)
# is studied here, in-process. Nothing here imports Django at module level: the
# follower starts it (as ``coopcis.commands.avoided_cost`` does) and the billing app
# registers :func:`study_batch` as the handler of ``rate-study``.

#: The job kind of ``rate study --workers``.
JOB_KIND = "rate-study"
#: Rows of a batch on workers (4 Mi: about 120 meter-years of 15-minute data).
WORKER_BATCH_ROWS = 1 << 22


class _InProcess(Exception):
    """The batches cannot give the whole-file answer: study the file in this process."""


def _group_edges(path: Path) -> tuple[list[int], list[tuple[str, str] | None]]:
    """Each row group's rows and its first and last meter id (None for an empty group),
    from the statistics when a row group names one meter, else from its meter_id column
    alone (index runs of a dictionary, or decoded by Arrow)."""
    import pyarrow.parquet as pq

    groups = _ArrowGroups(path, _Tally())
    handle = None
    edges: list[tuple[str, str] | None] = []
    for group, size in enumerate(groups.sizes):
        if not size:
            edges.append(None)
            continue
        name = (
            _group_meter_id(groups.metadata, group, groups.id_column)
            if groups.by_statistics
            else None
        )
        if name is not None:
            edges.append((name, name))
            continue
        runs = groups._id_runs(group, group + 1)
        if runs is None:
            if handle is None:
                handle = pq.ParquetFile(path, memory_map=True, read_dictionary=groups.as_dictionary)
            table = handle.read_row_group(group, columns=["meter_id"])
            _refuse_nulls(table, path)
            runs = _meter_runs(table.column("meter_id"), 0)
        edges.append((runs[0][0], runs[0][-1]))
    return groups.sizes, edges


def plan_batches(path: Path, batch_rows: int = WORKER_BATCH_ROWS) -> list[tuple[int, int]]:
    """Row group ranges ``[low, high)`` of about ``batch_rows`` rows, each ending where a
    meter ends (the next non-empty row group starts with another meter)."""
    sizes, edges = _group_edges(path)
    batches: list[tuple[int, int]] = []
    low, rows = 0, 0
    for group, size in enumerate(sizes):
        rows += size
        if rows >= batch_rows and _meter_ends_with(edges, group):
            batches.append((low, group + 1))
            low, rows = group + 1, 0
    if low < len(sizes):
        if batches and not rows:  # only empty row groups left: the last batch takes them
            batches[-1] = (batches[-1][0], len(sizes))
        else:
            batches.append((low, len(sizes)))
    return batches


def _meter_ends_with(edges: list[tuple[str, str] | None], group: int) -> bool:
    edge = edges[group]
    if edge is None:
        return False
    following = next((later for later in edges[group + 1 :] if later is not None), None)
    return following is None or following[0] != edge[1]


def _array(values: list[int]) -> npt.NDArray[np.int64]:
    return np.array(values, dtype=np.int64)


def _part_json(result: StudyResult) -> dict[str, Any]:
    det = result.determinants
    return {
        "months": list(det.months),
        "ticks": det.ticks_per_second,
        "segment_meter": det.segment_meter.tolist(),
        "segment_month": det.segment_month.tolist(),
        "first_start": det.first_start.tolist(),
        "end": det.end.tolist(),
        "energy_wh": det.energy_wh.tolist(),
        "energy_wh_by_tou": {name: v.tolist() for name, v in det.energy_wh_by_tou.items()},
        "demand_w": None if det.demand_w is None else det.demand_w.tolist(),
        "demand_w_by_tou": {name: v.tolist() for name, v in det.demand_w_by_tou.items()},
        "cents": result.total_cents.tolist(),
        "method": result.method,
    }


def _part(meters: list[str], data: dict[str, Any]) -> tuple[StudyDeterminants, Any, str]:
    det = StudyDeterminants(
        meter_ids=tuple(meters),
        months=tuple(data["months"]),
        segment_meter=_array(data["segment_meter"]),
        segment_month=_array(data["segment_month"]),
        first_start=_array(data["first_start"]),
        end=_array(data["end"]),
        ticks_per_second=data["ticks"],
        energy_wh=_array(data["energy_wh"]),
        energy_wh_by_tou={name: _array(v) for name, v in data["energy_wh_by_tou"].items()},
        demand_w=None if data["demand_w"] is None else _array(data["demand_w"]),
        demand_w_by_tou={name: _array(v) for name, v in data["demand_w_by_tou"].items()},
    )
    return det, _array(data["cents"]), data["method"]


def study_batch(params: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """One batch of ``rate study --workers`` on a worker: the meters of row groups
    ``payload["ids"]`` (consecutive) studied and priced. A defect of the data is the
    batch's result (the follower refuses the file as the in-process study would), not
    a failure of the batch."""
    path = Path(params["path"])
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is not on this worker's filesystem: workers studying a file must "
            "share it (the same path) with the command that queued them"
        )
    tariff = load_tariff(
        params["code"], on=date.fromisoformat(params["on"]) if params["on"] else None
    )
    minutes: int | None = params["interval_minutes"]
    factor = Decimal(params["power_factor"]) if params["power_factor"] else None
    low, high = payload["ids"][0], payload["ids"][-1] + 1
    tally = _Tally()
    try:
        layout = _plain_layout(_map(path))
        source: _PlainGroups | _ArrowGroups = (
            _PlainGroups(path, _map(path), layout, tally) if layout else _ArrowGroups(path, tally)
        )
        names, heads, start, energy = source.load(low, high)
    except InputError as error:
        return {"refused": str(error)}
    if not names:
        return {"meters": []}
    if len(set(names)) != len(names):
        return {"meters": names, "in_process": "a meter in two places"}
    if minutes is None and np.any(np.diff([*heads, len(start)]) == 1):
        return {"meters": names, "in_process": "a meter with one interval"}
    runs = _runs(names, heads, start, energy, source.ticks)
    try:
        det = study_determinants(
            runs,
            tariff=tariff,
            interval_minutes=minutes,
            every_determinant=exact_pricers(tariff) is None,
        )
    except StudyDataError as error:
        return {"meters": names, "error": f"{PROG}: {error}"}
    try:
        priced = price_study(det, tariff=tariff, power_factor=factor)
    except MissingDeterminantError as error:
        return {
            "meters": names,
            "price_error": f"{PROG}: {error} (interval data gives kWh and kW only)",
        }
    except TariffError as error:
        return {"meters": names, "price_error": f"{PROG}: {error}"}
    return {
        "meters": names,
        "part": _part_json(priced),
        "not_whole": tally.not_whole,
        "rounding": tally.rounding,
    }


def merge_parts(results: list[dict[str, Any]]) -> StudyResult:
    """The whole file's result from the batches' results in file order, refusing the
    file as the in-process study would: an unreadable value first, then (once every
    batch is known to hold its own meters) the first defect of the data in file order,
    then a tariff the data cannot price. :class:`_InProcess` when the batches cannot
    give the whole-file answer."""
    for result in results:
        if "refused" in result:
            raise InputError(result["refused"])
        if "in_process" in result:
            raise _InProcess(result["in_process"])
    meters = [name for result in results for name in result["meters"]]
    if not meters:
        raise _InProcess("")  # no intervals: refused as in-process
    if len(set(meters)) != len(meters):
        raise _InProcess("a meter in two batches")
    for key in ("error", "price_error"):
        for result in results:
            if key in result:
                raise InputError(result[key])
    parts = [_part(result["meters"], result["part"]) for result in results if result["meters"]]
    det = merge_determinants([part[0] for part in parts])
    rounded = [
        result["rounding"] for result in results if result.get("rounding", HALF_UP) != HALF_UP
    ]
    return StudyResult(
        determinants=det,
        total_cents=np.concatenate([part[1] for part in parts]),
        method=parts[0][2],
        energy_not_whole_wh=sum(result.get("not_whole", 0) for result in results),
        energy_rounding=rounded[0] if rounded else HALF_UP,
    )


def study_on_workers(
    path: Path,
    *,
    code: str,
    on: date | None,
    tariff: Tariff,
    interval_minutes: int | None,
    power_factor: Decimal | None,
    batch_rows: int = WORKER_BATCH_ROWS,
) -> StudyResult:
    """:func:`study_file` on ``coopcis worker`` processes (PostgreSQL and a broker; the
    file on a path they share), followed here with a progress bar."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopcis.site.settings")
    import django

    django.setup()
    from tqdm import tqdm

    from coopcis.apps.jobs import services as jobs
    from coopcis.apps.jobs.broker import broker_url, default_queue, run_on_workers

    broker_url()  # refused in one line on SQLite or without a broker
    if not path.exists():
        raise InputError(f"{PROG}: {path}: no such file")
    with path.open("rb") as handle:
        if handle.read(4) != b"PAR1":
            raise InputError(
                f"{PROG}: {path}: --workers studies a Parquet file (a CSV file is studied "
                "in this process: leave out --workers)"
            )
    import pyarrow.parquet as pq

    _check_schema(path, pq.ParquetFile(path).schema_arrow)
    batches = plan_batches(path, batch_rows)
    params = {
        "path": str(path.resolve()),
        "code": code,
        "on": on.isoformat() if on else None,
        "interval_minutes": interval_minutes,
        "power_factor": None if power_factor is None else str(power_factor),
    }
    job = jobs.create_job(
        JOB_KIND,
        params,
        [{"ids": list(range(low, high))} for low, high in batches],
        queue=default_queue(),
        operator=os.environ.get("COOPCIS_OPERATOR", ""),
    )
    with tqdm(
        total=sum(high - low for low, high in batches),
        unit="row group",
        file=sys.stderr,
        disable=None,
        desc="rate study",
    ) as bar:
        state = run_on_workers(job, progress=bar.update)
    if state.failed:
        raise InputError(
            f"{PROG}: {state.failed} of {state.total} batches of job {job.pk} failed: see "
            f"`coopcis jobs show {job.pk}`"
        )
    try:
        return merge_parts(jobs.results(job))
    except _InProcess as why:
        if str(why):
            print(f"{PROG}: {why}: studied in this process", file=sys.stderr)
        return study_file(
            path, tariff=tariff, interval_minutes=interval_minutes, power_factor=power_factor
        )
