"""What every read importer shares: parsed rows, skipped rows, meters and their installations.

Parsers turn a file into plain rows (with the line they came from) and rows they could not
read; ``store`` checks the rows against the meters and what is already stored, and keeps the
good ones. Nothing here reads the clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import BinaryIO

from coopcis.apps.metering.models import Meter
from coopcis.core.errors import RuleViolation
from coopcis.core.periods import CO_OP_TIME_ZONE

Progress = Callable[[int], None]


class ImportFormatError(RuleViolation):
    """A file that is not what its format says (not CSV, not XML, no header): nothing stored."""


@dataclass(frozen=True, slots=True)
class SkippedRow:
    """A row not stored, with where it was and why."""

    line: int | None
    meter: str
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {"line": self.line, "meter": self.meter, "reason": self.reason}

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line is not None else "file"
        meter = f" meter {self.meter}" if self.meter else ""
        return f"{where}{meter}: {self.reason}"


@dataclass(frozen=True, slots=True)
class RegisterRow:
    """A register read as a file gave it, in Wh before the multiplier."""

    line: int
    meter_serial: str
    channel: str
    read_on: date
    register_wh: int
    demand_kw: Decimal | None = None
    power_factor: Decimal | None = None


@dataclass(frozen=True, slots=True)
class IntervalRow:
    """One interval as a file gave it: ``[start_at, start_at + minutes)`` (UTC), Wh."""

    line: int | None
    meter_serial: str
    channel: str
    start_at: datetime
    minutes: int | None  # None: the meter's own interval length
    energy_wh: int


@dataclass
class Parsed:
    """A parser's output: rows to store and rows it already refused."""

    register_rows: list[RegisterRow]
    interval_rows: list[IntervalRow]
    skipped: list[SkippedRow]
    rows_read: int = 0


def counted_lines(stream: BinaryIO, progress: Progress | None) -> Iterator[bytes]:
    """The file's lines as bytes, telling ``progress`` how many bytes each one took."""
    for raw in stream:
        if progress is not None:
            progress(len(raw))
        yield raw


class LineFeeder:
    """A file object whose ``read`` hands out one line at a time.

    ``iterparse`` reads its source in chunks and yields the events of each chunk before
    reading the next; feeding it line by line means ``line`` is the line each event's
    element ended on, so a bad reading can be reported by its line number.
    """

    def __init__(self, stream: BinaryIO, progress: Progress | None = None) -> None:
        self._stream = stream
        self._progress = progress
        self.line = 0

    def read(self, size: int = -1) -> bytes:
        raw = self._stream.readline()
        if raw:
            self.line += 1
            if self._progress is not None:
                self._progress(len(raw))
        return raw


@dataclass(frozen=True)
class MeterWindow:
    """A meter and the spans it was installed, ``[installed_on, removed_on)``."""

    meter: Meter
    spans: tuple[tuple[date, date | None], ...]

    def register_read_problem(self, read_on: date) -> str | None:
        """Why a register read on ``read_on`` cannot be this meter's, or ``None``.

        The final read is taken on the day the meter comes out, so ``removed_on`` itself is
        accepted for a register read.
        """
        for installed_on, removed_on in self.spans:
            if installed_on <= read_on and (removed_on is None or read_on <= removed_on):
                return None
        return self._outside(read_on)

    def interval_problem(self, start_at: datetime, end_at: datetime) -> str | None:
        """Why an interval cannot be this meter's, or ``None``: it must lie between local
        midnight of the installation day and local midnight of the removal day."""
        for installed_on, removed_on in self.spans:
            if start_at < _local_midnight(installed_on):
                continue
            if removed_on is None or end_at <= _local_midnight(removed_on):
                return None
        return self._outside(start_at.astimezone(CO_OP_TIME_ZONE).date())

    def _outside(self, day: date) -> str:
        serial = self.meter.serial
        if not self.spans:
            return f"meter {serial} has never been installed"
        first = min(installed_on for installed_on, _ in self.spans)
        if day < first:
            return f"{day} is before meter {serial} was installed ({first})"
        ends = [removed_on for _, removed_on in self.spans if removed_on is not None]
        if ends and all(removed_on is not None for _, removed_on in self.spans):
            return f"{day} is after meter {serial} was removed ({max(ends)})"
        return f"{day} falls outside the installations of meter {serial}"


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=CO_OP_TIME_ZONE)


def meter_windows(serials: Iterable[str]) -> dict[str, MeterWindow]:
    """The named meters with their installation spans, in two queries."""
    meters = Meter.objects.filter(serial__in=set(serials)).prefetch_related("installations")
    return {
        meter.serial: MeterWindow(
            meter,
            tuple((i.installed_on, i.removed_on) for i in meter.installations.all()),
        )
        for meter in meters
    }


def utc_day_start(instant: datetime) -> datetime:
    """Midnight UTC of the instant's UTC day (the day an ``IntervalBlock`` belongs to)."""
    utc = instant.astimezone(UTC)
    return datetime(utc.year, utc.month, utc.day, tzinfo=UTC)
