"""A meter's intervals summed as the member's usage charts show them.

Intervals come in as ``(start_at, minutes, energy_wh)`` with aware starts; each is put
in the co-op's local hour or day its start falls in (a DST change makes a 23- or
25-hour day, counted as it was). Energy stays integer Wh; kWh and kW are exact
Decimals (``kW = Wh x 60 / minutes / 1000``). Nothing here reads the clock.

"Weather-free facts" (issue 12) are the facts of a span that do not depend on the
weather: how many days it has, how much was used, the average per day and the day and
interval with the highest use, so two months of different length compare fairly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from coopcis.core.units import kw_from_interval, wh_to_kwh

Reading = tuple[datetime, int, int]  # (start_at aware, minutes, energy_wh)


@dataclass(frozen=True, slots=True)
class Bucket:
    """Energy over one local span: an interval, an hour or a day."""

    start_at: datetime  # local, aware
    energy_wh: int
    minutes: int

    @property
    def energy_kwh(self) -> Decimal:
        return wh_to_kwh(self.energy_wh)

    @property
    def demand_kw(self) -> Decimal:
        """Average kW over the bucket (for a 15-minute interval, its demand)."""
        return kw_from_interval(self.energy_wh, self.minutes)


@dataclass(frozen=True, slots=True)
class DayUsage:
    """One local day: its energy and its highest interval (the day's high)."""

    day: date
    energy_wh: int
    peak_wh: int
    peak_at: datetime  # local start of the highest interval (the first one on a tie)
    peak_minutes: int
    intervals: int

    @property
    def energy_kwh(self) -> Decimal:
        return wh_to_kwh(self.energy_wh)

    @property
    def peak_kw(self) -> Decimal:
        return kw_from_interval(self.peak_wh, self.peak_minutes)


@dataclass(frozen=True, slots=True)
class UsageFacts:
    """The weather-free facts of a span of days (see the module doc)."""

    days: int
    energy_wh: int
    highest_day: DayUsage | None
    peak_day: DayUsage | None  # the day holding the span's highest interval

    @property
    def energy_kwh(self) -> Decimal:
        return wh_to_kwh(self.energy_wh)

    @property
    def average_kwh_per_day(self) -> Decimal | None:
        """kWh per day with data, to the Wh (0.001 kWh), half up: shown, never billed."""
        if not self.days:
            return None
        return (wh_to_kwh(self.energy_wh) / self.days).quantize(Decimal("0.001"))


def local_buckets(readings: Iterable[Reading], *, minutes: int, zone: ZoneInfo) -> list[Bucket]:
    """Readings summed into local buckets of ``minutes`` (15, 30 or 60), oldest first.

    A bucket starts on the local clock (``:00``, ``:15``...); buckets with no reading are
    left out, not shown as zero.
    """
    sums: dict[datetime, list[int]] = {}
    for start_at, length, energy_wh in readings:
        local = start_at.astimezone(zone)
        key = local.replace(minute=local.minute - local.minute % minutes, second=0, microsecond=0)
        entry = sums.get(key)
        if entry is None:
            sums[key] = [energy_wh, length]
        else:
            entry[0] += energy_wh
            entry[1] += length
    return [Bucket(key, total, min(span, minutes)) for key, (total, span) in sorted(sums.items())]


@dataclass(slots=True)
class _Day:
    energy_wh: int
    peak_wh: int
    peak_at: datetime
    peak_minutes: int
    intervals: int


def daily_usage(readings: Iterable[Reading], *, zone: ZoneInfo) -> list[DayUsage]:
    """Each local day's energy and highest interval (by kW), oldest first."""
    days: dict[date, _Day] = {}
    for start_at, length, energy_wh in readings:
        local = start_at.astimezone(zone)
        day = local.date()
        entry = days.get(day)
        if entry is None:
            days[day] = _Day(energy_wh, energy_wh, local, length, 1)
            continue
        entry.energy_wh += energy_wh
        entry.intervals += 1
        if energy_wh * entry.peak_minutes > entry.peak_wh * length:  # higher kW
            entry.peak_wh, entry.peak_at, entry.peak_minutes = energy_wh, local, length
    return [
        DayUsage(day, e.energy_wh, e.peak_wh, e.peak_at, e.peak_minutes, e.intervals)
        for day, e in sorted(days.items())
    ]


def usage_facts(days: Sequence[DayUsage]) -> UsageFacts:
    """Days, energy, the highest day and the day of the highest interval."""
    if not days:
        return UsageFacts(0, 0, None, None)
    highest = max(days, key=lambda day: (day.energy_wh, -day.day.toordinal()))
    peak = max(days, key=lambda day: (day.peak_kw, -day.day.toordinal()))
    return UsageFacts(len(days), sum(day.energy_wh for day in days), highest, peak)
