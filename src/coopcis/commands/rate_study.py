"""``coopcis rate study CODE --intervals FILE [--json]``: bill a membership's interval data.

Bills every meter in FILE for each local calendar month (America/Denver) under the
catalog schedule CODE, the way a co-op studies a rate change, and prints a summary
(revenue by month, bill distribution) or, with ``--json``, every bill.

Input columns (the pricing itself is ``coopcis.core.rating.study``):

* ``meter_id``: text or integer;
* ``start``: the interval start; Parquet ``timestamp`` with a time zone (any unit),
  CSV ISO-8601 text with a UTC offset (``2025-01-01T00:00:00-07:00``);
* energy, exactly one of: ``kwh`` as Parquet ``decimal128`` (scale up to 3 is exact
  Wh; finer is rounded half up to the Wh, the one rounding ``core.units`` allows on
  input) or integer (whole kWh); ``wh`` as a Parquet integer column (Wh, the fast
  layout); in CSV, ``kwh`` as decimal text (converted exactly, never via float).

Interval length is read from the spacing of each meter's starts (``--interval-minutes``
when a meter has one interval). Fastest Parquet layout: rows sorted by meter then
start, ``meter_id`` dictionary-encoded, ``wh`` int32, no compression.
Errors: one line on stderr; exit 2 for an unknown code or bad input.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from coopcis.catalog.tariffs import UnknownTariffError, load_tariff
from coopcis.core.money import MoneyError, to_decimal
from coopcis.core.rating.errors import MissingDeterminantError, TariffError
from coopcis.core.rating.study import (
    MeterRuns,
    StudyDataError,
    StudyResult,
    group_by_meter,
    rate_study,
    summarize,
)
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
    return parser


def main(argv: list[str]) -> int:
    """Run the study; returns the exit code (0, or 2 with one line on stderr)."""
    try:
        args = _parser().parse_args(argv)
        tariff = load_tariff(args.code, on=args.on)
        runs = read_intervals(args.intervals)
        result = rate_study(
            runs,
            tariff=tariff,
            interval_minutes=args.interval_minutes,
            power_factor=args.power_factor,
        )
    except SystemExit as exit_:  # --help
        return exit_.code if isinstance(exit_.code, int) else 0
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
    # 100,000+ bills: format each row from per-meter and per-month pieces, not a dict.
    det = result.determinants
    meters = [f'{{"meter_id": {json.dumps(name)}, "month": "' for name in det.meter_ids]
    months = [f'{month}", "total": "' for month in det.months]
    cents = result.total_cents
    whole, part = np.divmod(np.abs(cents), 100)
    sign = np.where(cents < 0, "-", "")
    rows = [
        f'{meters[meter]}{months[month]}{negative}{dollars}.{remainder:02d}"}}'
        for meter, month, negative, dollars, remainder in zip(
            det.segment_meter.tolist(),
            det.segment_month.tolist(),
            sign.tolist(),
            whole.tolist(),
            part.tolist(),
            strict=True,
        )
    ]
    summary = json.dumps(summarize(result), indent=1)
    return (
        f'{{"tariff": {json.dumps(code)}, "bills": [\n'
        + ",\n".join(rows)
        + f'\n], "summary": {summary}}}\n'
    )


def study_text(code: str, result: StudyResult) -> str:
    """The summary table: revenue by month, then the distribution of bill totals."""
    summary = summarize(result)
    lines = [
        f"Rate study {code}: {summary['meters']} meters, {summary['bills']} bills, "
        f"revenue ${summary['revenue']} (priced {summary['method']})",
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


def read_intervals(path: Path) -> MeterRuns:
    """Read a Parquet or CSV interval file into meter runs (see the module docstring)."""
    if not path.exists():
        raise InputError(f"{PROG}: {path}: no such file")
    with path.open("rb") as handle:
        is_parquet = handle.read(4) == b"PAR1"
    return read_parquet(path) if is_parquet else read_csv(path)


def read_parquet(path: Path) -> MeterRuns:
    """Read only the needed columns, row groups in parallel, straight into int64 arrays.

    Each worker decodes one row group and copies it into its slice of preallocated
    ``start``/``energy`` arrays while it is still in cache, and finds that row
    group's meter runs from the dictionary indices (no per-row meter id array).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pq.read_schema(path)
    energy_name = _energy_column(set(schema.names), path)
    missing = {"meter_id", "start"} - set(schema.names)
    if missing:
        raise InputError(f"{PROG}: {path}: missing column(s) {', '.join(sorted(missing))}")
    start_type = schema.field("start").type
    if not pa.types.is_timestamp(start_type) or start_type.tz is None:
        raise InputError(f"{PROG}: {path}: start must be a timestamp with a time zone")
    as_dictionary = ["meter_id"] if pa.types.is_string(schema.field("meter_id").type) else None
    metadata = pq.ParquetFile(path).metadata
    sizes = [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)]
    firsts = np.concatenate(([0], np.cumsum(sizes, dtype=np.int64)))
    start = np.empty(int(firsts[-1]), dtype=np.int64)
    energy = np.empty(int(firsts[-1]), dtype=np.int64)
    local = threading.local()

    def load(group: int) -> tuple[list[str], list[int]]:
        if not hasattr(local, "file"):
            local.file = pq.ParquetFile(path, read_dictionary=as_dictionary)
        table = local.file.read_row_group(group, columns=["meter_id", "start", energy_name])
        row = int(firsts[group])
        for name in table.column_names:
            if table.column(name).null_count:
                raise InputError(f"{PROG}: {path}: column {name} has empty values")
        for chunk in table.column("start").chunks:
            start[row : row + len(chunk)] = chunk.cast(pa.int64()).to_numpy()
            row += len(chunk)
        _energy_wh(table.column(energy_name), energy_name, path, energy[int(firsts[group]) :])
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
    return _runs(names, heads, start, energy, TICKS_PER_SECOND[start_type.unit])


def _energy_column(names: set[str], path: Path) -> str:
    present = [name for name in ("kwh", "wh") if name in names]
    if len(present) != 1:
        raise InputError(f"{PROG}: {path}: need exactly one energy column, kwh or wh")
    return present[0]


def _energy_wh(column: Any, name: str, path: Path, out: np.ndarray[Any, Any]) -> None:
    """Write the energy column as integer Wh into ``out`` (from its first row)."""
    import pyarrow as pa

    kind = column.type
    row = 0
    for chunk in column.chunks:
        if name == "wh" and pa.types.is_integer(kind):
            values = chunk.to_numpy()
        elif name == "kwh" and pa.types.is_integer(kind):
            values = chunk.to_numpy().astype(np.int64) * 1000
        elif name == "kwh" and pa.types.is_decimal(kind):
            values = _decimal_wh(chunk, kind.scale)
        else:
            raise InputError(
                f"{PROG}: {path}: {name} is {kind}; use decimal128 or integer kwh, or integer "
                "wh (never binary floating point)"
            )
        out[row : row + len(chunk)] = values
        row += len(chunk)


def _decimal_wh(chunk: Any, scale: int) -> np.ndarray[Any, Any]:
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


def read_csv(path: Path) -> MeterRuns:
    """Read ``meter_id,start,kwh`` text; a bad row stops with its line number."""
    ids: list[str] = []
    code_of: dict[str, int] = {}
    codes: list[int] = []
    starts: list[int] = []
    energy: list[int] = []
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
                meter, start, wh = _csv_row(row, at)
            except (ValueError, IndexError, InvalidOperation, MoneyError) as error:
                raise InputError(f"{PROG}: {path}: line {reader.line_num}: {error}") from None
            if meter not in code_of:
                code_of[meter] = len(ids)
                ids.append(meter)
            codes.append(code_of[meter])
            starts.append(start)
            energy.append(wh)
    if not codes:
        raise InputError(f"{PROG}: {path}: no intervals")
    return group_by_meter(
        meter_codes=np.array(codes, dtype=np.int64),
        meter_names=ids,
        start=np.array(starts, dtype=np.int64),
        energy_wh=np.array(energy, dtype=np.int64),
        ticks_per_second=1,
    )


def _csv_row(row: list[str], at: dict[str, int]) -> tuple[str, int, int]:
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
    return meter, int(start_at.timestamp()), kwh_to_wh(kwh)
