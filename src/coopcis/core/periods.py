"""Periods: half-open ranges ``[start, end)`` of local dates or of aware instants.

A billing period from 2026-01-05 to 2026-02-04 covers the 5th up to, not including,
the 4th: the next period starts where this one ends, so no day is billed twice.
The core never reads the clock; callers pass ``as_of`` dates in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

#: Local time of the co-ops in the seeds (Otero and Socorro counties, New Mexico).
CO_OP_TIME_ZONE = ZoneInfo("America/Denver")


class PeriodError(ValueError):
    """A period whose end is not after its start, or a naive datetime."""


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """Local dates ``[start, end)``; ``end`` is the first day *not* included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise PeriodError(f"period end {self.end} must be after its start {self.start}")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        """The calendar month ``year-month``."""
        start = date(year, month, 1)
        end = date(year + (month == 12), month % 12 + 1, 1)
        return cls(start, end)

    @classmethod
    def parse_month(cls, text: str) -> Period:
        """``"2026-03"`` -> March 2026; a clear error for anything else."""
        try:
            year_text, month_text = text.split("-")
            year, month = int(year_text), int(month_text)
            if len(year_text) != 4 or not 1 <= month <= 12:
                raise ValueError
        except ValueError:
            raise PeriodError(f"not a month (YYYY-MM): {text!r}") from None
        return cls.month(year, month)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end

    def overlaps(self, other: Period) -> bool:
        return self.start < other.end and other.start < self.end

    def intersection(self, other: Period) -> Period | None:
        start, end = max(self.start, other.start), min(self.end, other.end)
        return Period(start, end) if start < end else None

    def each_day(self) -> list[date]:
        return [self.start + timedelta(days=offset) for offset in range(self.days)]

    def label(self) -> str:
        return f"{self.start.isoformat()} to {(self.end - timedelta(days=1)).isoformat()}"


def open_ended_overlaps(
    start: date, end: date | None, other_start: date, other_end: date | None
) -> bool:
    """Whether ``[start, end)`` and ``[other_start, other_end)`` share a day.

    ``None`` as an end means "still open" (an installed meter, a running agreement).
    """
    starts_before_other_ends = other_end is None or start < other_end
    other_starts_before_end = end is None or other_start < end
    return starts_before_other_ends and other_starts_before_end


@dataclass(frozen=True, slots=True, order=True)
class InstantRange:
    """Aware instants ``[start_at, end_at)``; used for interval data spans."""

    start_at: datetime
    end_at: datetime

    def __post_init__(self) -> None:
        if self.start_at.tzinfo is None or self.end_at.tzinfo is None:
            raise PeriodError("instants must carry a time zone")
        if self.end_at <= self.start_at:
            raise PeriodError(f"range end {self.end_at} must be after its start {self.start_at}")

    @property
    def seconds(self) -> int:
        """Elapsed seconds. Measured in UTC: Python subtracts two times of the same zone by
        their wall clocks, which would make a daylight-saving day 24 hours long."""
        return int((self.end_at.astimezone(UTC) - self.start_at.astimezone(UTC)).total_seconds())

    @property
    def hours(self) -> int:
        """Whole hours covered (elapsed time, so a DST-change day counts 23 or 25)."""
        return self.seconds // 3600


def local_month_range(year: int, month: int, tz: ZoneInfo = CO_OP_TIME_ZONE) -> InstantRange:
    """The instants of a local calendar month, midnight to midnight in ``tz``."""
    period = Period.month(year, month)
    return InstantRange(
        datetime.combine(period.start, datetime.min.time(), tzinfo=tz),
        datetime.combine(period.end, datetime.min.time(), tzinfo=tz),
    )
