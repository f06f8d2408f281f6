"""The demo's time axis: 15-minute intervals between two local midnights.

A register read dated D is the register at local midnight (America/Denver) starting D,
so the energy between reads dated D1 and D2 is the intervals in ``[midnight D1,
midnight D2)``. Interval data is cut into blocks of one UTC day each, as
``IntervalBlock`` stores it; the first and latest blocks are partial because the local
midnights that bound the data are 06:00 or 07:00 UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from coopcis.core.periods import CO_OP_TIME_ZONE

INTERVAL_MINUTES = 15
INTERVALS_PER_HOUR = 60 // INTERVAL_MINUTES


def local_midnight_utc(day: date, tz: ZoneInfo = CO_OP_TIME_ZONE) -> datetime:
    """The UTC instant of local midnight starting ``day``."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class UtcBlock:
    """Intervals ``[start, start + count)`` of the timeline, all within one UTC day."""

    start: int
    count: int
    start_at: datetime


@dataclass(frozen=True)
class Timeline:
    """Local dates ``[start_date, end_date)`` as 15-minute intervals, with local-time features.

    ``day_start[d]`` is the index of local midnight of ``start_date + d`` (one more entry
    than there are days, so ``day_start[-1] == count``). ``local_hour`` is the local clock
    hour of each interval as a float (0 to 23.75), ``local_weekday`` Monday=0,
    ``local_day`` the day number each interval belongs to.
    """

    start_date: date
    end_date: date
    start_at: datetime
    count: int
    day_start: np.ndarray
    local_hour: np.ndarray
    local_weekday: np.ndarray
    local_day: np.ndarray
    day_of_year: np.ndarray  # per local day
    day_weekday: np.ndarray  # per local day
    blocks: tuple[UtcBlock, ...]

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days

    def index_of(self, day: date) -> int:
        """Interval index of local midnight starting ``day`` (within or at the end)."""
        return int(self.day_start[(day - self.start_date).days])

    def interval_at(self, index: int) -> datetime:
        return self.start_at + timedelta(minutes=INTERVAL_MINUTES * index)

    def blocks_until(self, end: int) -> list[UtcBlock]:
        """The UTC-day blocks covering intervals ``[0, end)``, the latest one cut short."""
        cut: list[UtcBlock] = []
        for block in self.blocks:
            if block.start >= end:
                break
            cut.append(UtcBlock(block.start, min(block.count, end - block.start), block.start_at))
        return cut


def build_timeline(start_date: date, end_date: date, tz: ZoneInfo = CO_OP_TIME_ZONE) -> Timeline:
    """The timeline of local dates ``[start_date, end_date)``."""
    if end_date <= start_date:
        raise ValueError("the timeline must end after it starts")
    start_at = local_midnight_utc(start_date, tz)
    days = (end_date - start_date).days
    step = timedelta(minutes=INTERVAL_MINUTES)
    day_start = np.array(
        [
            (local_midnight_utc(start_date + timedelta(d), tz) - start_at) // step
            for d in range(days + 1)
        ],
        dtype=np.int64,
    )
    count = int(day_start[-1])
    # The UTC offset changes only on the hour, so one lookup per hour is enough.
    hours = count // INTERVALS_PER_HOUR
    offsets = np.array(
        [(start_at + timedelta(hours=h)).astimezone(tz).utcoffset() // step for h in range(hours)],
        dtype=np.int64,
    )
    index = np.arange(count, dtype=np.int64)
    utc_slot = start_at.hour * INTERVALS_PER_HOUR + start_at.minute // INTERVAL_MINUTES + index
    local_slot = (utc_slot + np.repeat(offsets, INTERVALS_PER_HOUR)) % (24 * INTERVALS_PER_HOUR)
    local_day = np.repeat(np.arange(days, dtype=np.int32), np.diff(day_start))
    dates = [start_date + timedelta(d) for d in range(days)]
    day_weekday = np.array([d.weekday() for d in dates], dtype=np.int8)
    day_of_year = np.array([d.timetuple().tm_yday for d in dates], dtype=np.int16)
    return Timeline(
        start_date=start_date,
        end_date=end_date,
        start_at=start_at,
        count=count,
        day_start=day_start,
        local_hour=(local_slot / INTERVALS_PER_HOUR).astype(np.float64),
        local_weekday=day_weekday[local_day],
        local_day=local_day,
        day_of_year=day_of_year,
        day_weekday=day_weekday,
        blocks=tuple(_utc_blocks(start_at, count)),
    )


def _utc_blocks(start_at: datetime, count: int) -> list[UtcBlock]:
    blocks: list[UtcBlock] = []
    step = timedelta(minutes=INTERVAL_MINUTES)
    index = 0
    while index < count:
        at = start_at + step * index
        next_midnight = datetime.combine(at.date() + timedelta(1), time(0), tzinfo=UTC)
        size = min(count - index, (next_midnight - at) // step)
        blocks.append(UtcBlock(index, size, at))
        index += size
    return blocks


def read_date(year: int, month: int, cycle_day: int) -> date:
    """The cycle's read day in a month, moved off the weekend (Saturday to Friday,
    Sunday to Monday) as meter-reading routes are."""
    day = date(year, month, cycle_day)
    if day.weekday() == 5:
        return day - timedelta(1)
    if day.weekday() == 6:
        return day + timedelta(1)
    return day
