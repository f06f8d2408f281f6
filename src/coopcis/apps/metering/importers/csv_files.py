"""CSV read files (docs/domain/meter-reads.md): register reads and interval data.

Register: ``meter_serial,read_on,register_kwh[,demand_kw,power_factor,channel]``.
Interval: ``meter_serial,start,kwh[,channel]``, ``start`` ISO-8601 with a UTC offset.
Columns are found by their header name, in any order. ``--meter`` stands in for a missing
``meter_serial`` column (a one-meter export). A row that cannot be read is skipped with its
line number; a file without the header, or that is not UTF-8 text, is refused whole.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import BinaryIO

from coopcis.apps.metering.importers.common import (
    ImportFormatError,
    IntervalRow,
    Parsed,
    Progress,
    RegisterRow,
    SkippedRow,
    counted_lines,
)
from coopcis.apps.metering.models import Channel
from coopcis.core.money import MoneyError, to_decimal
from coopcis.core.units import kwh_to_wh

REGISTER_COLUMNS = ("meter_serial", "read_on", "register_kwh")
REGISTER_OPTIONAL = ("demand_kw", "power_factor", "channel")
INTERVAL_COLUMNS = ("meter_serial", "start", "kwh")
INTERVAL_OPTIONAL = ("channel",)


class RowError(ValueError):
    """A field this row cannot be read from; the row is skipped."""


def _decoded(stream: BinaryIO, progress: Progress | None) -> Iterator[str]:
    for number, raw in enumerate(counted_lines(stream, progress), start=1):
        if b"\x00" in raw:
            raise ImportFormatError(f"not a CSV file: binary data on line {number}")
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            raise ImportFormatError(f"not a CSV file: line {number} is not UTF-8 text") from None
        yield text


def _header(
    reader: Iterator[list[str]], required: tuple[str, ...], optional: tuple[str, ...], meter: str
) -> dict[str, int]:
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise ImportFormatError("empty file: no header line") from None
    needed = [name for name in required if not (name == "meter_serial" and meter)]
    missing = [name for name in needed if name not in header]
    if missing:
        expected = ",".join(required) + "".join(f"[,{name}]" for name in optional)
        raise ImportFormatError(
            f"missing header column(s) {', '.join(missing)} on line 1; expected {expected}"
        )
    return {name: header.index(name) for name in (*required, *optional) if name in header}


def _field(row: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    return row[index].strip() if index is not None and index < len(row) else ""


def _number(text: str, name: str) -> Decimal:
    try:
        return to_decimal(text)
    except MoneyError:
        raise RowError(f"{name} {text!r} is not a number") from None


def _channel(text: str) -> str:
    value = text.upper() or Channel.DELIVERED
    if value not in Channel.values:
        raise RowError(f"channel {text!r} is not DELIVERED or RECEIVED")
    return value


def _rows(stream: BinaryIO, progress: Progress | None, required, optional, meter):  # type: ignore[no-untyped-def]
    reader = csv.reader(_decoded(stream, progress))
    try:
        columns = _header(reader, required, optional, meter)
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            serial = _field(row, columns, "meter_serial") or meter
            yield reader.line_num, serial, row, columns
    except csv.Error as error:
        raise ImportFormatError(f"not a CSV file: line {reader.line_num}: {error}") from None


def parse_register_csv(
    stream: BinaryIO, *, meter: str = "", progress: Progress | None = None
) -> Parsed:
    """Register reads from a CSV file (see the module doc)."""
    parsed = Parsed([], [], [])
    for line, serial, row, columns in _rows(
        stream, progress, REGISTER_COLUMNS, REGISTER_OPTIONAL, meter
    ):
        parsed.rows_read += 1
        try:
            parsed.register_rows.append(_register_row(line, serial, row, columns))
        except RowError as error:
            parsed.skipped.append(SkippedRow(line, serial, str(error)))
    return parsed


def _register_row(line: int, serial: str, row: list[str], columns: dict[str, int]) -> RegisterRow:
    if not serial:
        raise RowError("no meter serial")
    text = _field(row, columns, "read_on")
    try:
        read_on = date.fromisoformat(text)
    except ValueError:
        raise RowError(f"read_on {text!r} is not a date (YYYY-MM-DD)") from None
    register_kwh = _number(_field(row, columns, "register_kwh"), "register_kwh")
    if register_kwh < 0:
        raise RowError(f"register_kwh {register_kwh} is negative")
    demand_text = _field(row, columns, "demand_kw")
    demand_kw = _number(demand_text, "demand_kw") if demand_text else None
    if demand_kw is not None and demand_kw < 0:
        raise RowError(f"demand_kw {demand_kw} is negative")
    pf_text = _field(row, columns, "power_factor")
    power_factor = _number(pf_text, "power_factor") if pf_text else None
    if power_factor is not None and not 0 < power_factor <= 1:
        raise RowError(f"power_factor {power_factor} is not in (0, 1]")
    channel = _channel(_field(row, columns, "channel"))
    return RegisterRow(
        line, serial, channel, read_on, kwh_to_wh(register_kwh), demand_kw, power_factor
    )


def parse_interval_csv(
    stream: BinaryIO, *, meter: str = "", progress: Progress | None = None
) -> Parsed:
    """Interval data from a CSV file (see the module doc)."""
    parsed = Parsed([], [], [])
    for line, serial, row, columns in _rows(
        stream, progress, INTERVAL_COLUMNS, INTERVAL_OPTIONAL, meter
    ):
        parsed.rows_read += 1
        try:
            parsed.interval_rows.append(_interval_row(line, serial, row, columns))
        except RowError as error:
            parsed.skipped.append(SkippedRow(line, serial, str(error)))
    return parsed


def _interval_row(line: int, serial: str, row: list[str], columns: dict[str, int]) -> IntervalRow:
    if not serial:
        raise RowError("no meter serial")
    text = _field(row, columns, "start")
    try:
        start_at = datetime.fromisoformat(text)
    except ValueError:
        raise RowError(f"start {text!r} is not an ISO-8601 date and time") from None
    if start_at.tzinfo is None:
        raise RowError(f"start {text!r} has no UTC offset (e.g. -07:00)")
    energy_wh = kwh_to_wh(_number(_field(row, columns, "kwh"), "kwh"))
    channel = _channel(_field(row, columns, "channel"))
    return IntervalRow(line, serial, channel, start_at, None, energy_wh)
