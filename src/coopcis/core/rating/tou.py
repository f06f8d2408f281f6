"""Time-of-use periods: which part of the day an interval belongs to.

OCEC's optional rates (seed 001, SUMMARY OF RATES) price "On Peak: 3 PM to 9 PM"
and "Off Peak: 9 PM to 3 PM". An interval belongs to the period its **start**
falls in, read in local prevailing time (America/Denver, so daylight saving moves
the window with the wall clock). The seed names no weekday or holiday exception,
so the OCEC catalog files list every day type; the calendar stays a parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from coopcis.core.periods import CO_OP_TIME_ZONE
from coopcis.core.rating import _fields as f
from coopcis.core.rating.errors import TariffError

ON_PEAK = "on_peak"
OFF_PEAK = "off_peak"
DAY_TYPES = ("weekday", "weekend", "holiday")


@dataclass(frozen=True, slots=True)
class TouWindow:
    """A named period on some day types: local minutes ``[start_minute, end_minute)``."""

    period: str
    start_minute: int
    end_minute: int
    day_types: frozenset[str]

    def __post_init__(self) -> None:
        if not 0 <= self.start_minute < self.end_minute <= 24 * 60:
            raise TariffError(
                f"window {self.period} must start before it ends within one day",
                field="time_of_use.windows",
            )
        unknown = self.day_types - set(DAY_TYPES)
        if unknown or not self.day_types:
            raise TariffError(
                f"day types must be some of {', '.join(DAY_TYPES)}", field="time_of_use.windows"
            )


@dataclass(frozen=True, slots=True)
class TouSchedule:
    """The day's time-of-use periods; anything outside every window is ``default_period``.

    ``holidays`` are local dates treated as the "holiday" day type (a parameter:
    pass a New Mexico calendar if a schedule exempts holidays).
    """

    windows: tuple[TouWindow, ...]
    default_period: str = OFF_PEAK
    time_zone: ZoneInfo = CO_OP_TIME_ZONE
    holidays: frozenset[date] = frozenset()

    @property
    def periods(self) -> tuple[str, ...]:
        """Every period name a quantity can be classified into, default last."""
        names = [window.period for window in self.windows]
        names.append(self.default_period)
        return tuple(dict.fromkeys(names))

    def day_type(self, local_day: date) -> str:
        if local_day in self.holidays:
            return "holiday"
        return "weekend" if local_day.weekday() >= 5 else "weekday"

    def classify(self, start_at: datetime) -> str:
        """The period of an interval starting at the aware instant ``start_at``."""
        if start_at.tzinfo is None:
            raise ValueError(f"interval start {start_at} must carry a time zone")
        local = start_at.astimezone(self.time_zone)
        minute = local.hour * 60 + local.minute
        day_type = self.day_type(local.date())
        for window in self.windows:
            if day_type in window.day_types and window.start_minute <= minute < window.end_minute:
                return window.period
        return self.default_period

    def with_holidays(self, holidays: frozenset[date]) -> TouSchedule:
        """The same windows with a holiday calendar (dates in local time)."""
        return TouSchedule(self.windows, self.default_period, self.time_zone, holidays)


def classify_tou(start_at: datetime, *, schedule: TouSchedule) -> str:
    """TOU period name of an interval, by its start in local prevailing time."""
    return schedule.classify(start_at)


def is_on_peak(start_at: datetime, *, schedule: TouSchedule) -> bool:
    """Whether an interval starting at ``start_at`` is on-peak under ``schedule``.

    OCEC: on-peak when the local start is in [15:00, 21:00), every day (seed 001).
    """
    return schedule.classify(start_at) == ON_PEAK


def parse_tou_schedule(data: Mapping[str, Any]) -> TouSchedule:
    """Read a ``[time_of_use]`` table (see docs/adr/0003-tariff-format.md)."""
    where = "time_of_use."
    zone_name = f.text(data, "time_zone", where, default="America/Denver")
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise TariffError(f"unknown time zone {zone_name!r}", field=f"{where}time_zone") from None
    windows = []
    for index, raw in enumerate(f.array(data, "windows", where)):
        at = f"{where}windows[{index}]."
        if not isinstance(raw, Mapping):
            raise TariffError("must be a table", field=at.rstrip("."))
        days = f.array(raw, "days", at)
        if not all(isinstance(day, str) for day in days):
            raise TariffError("must list day types as text", field=f"{at}days")
        windows.append(
            TouWindow(
                period=f.text(raw, "period", at),
                start_minute=f.minute_of_day(raw, "start", at),
                end_minute=f.minute_of_day(raw, "end", at),
                day_types=frozenset(days),
            )
        )
    holidays = frozenset(
        _holiday(value, index) for index, value in enumerate(data.get("holidays", []))
    )
    default = f.text(data, "default_period", where, default=OFF_PEAK)
    return TouSchedule(tuple(windows), default, zone, holidays)


def _holiday(value: object, index: int) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise TariffError("must be a date", field=f"time_of_use.holidays[{index}]")
