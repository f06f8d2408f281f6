"""A member's use history: energy between consecutive reads, prorated to any span of days.

Cycle billing makes every period a little different (28 to 33 days, read dates wander),
so comparisons and estimates work in energy per day. A history record covering part of a
span counts in proportion to the days it shares with the span (``energy x shared / days``),
exactly, in ``Decimal``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from coopcis.core.periods import Period


@dataclass(frozen=True, slots=True)
class UsageRecord:
    """Energy ``energy_wh`` used over the read-to-read span ``[start_on, end_on)``."""

    start_on: date
    end_on: date
    energy_wh: int

    def __post_init__(self) -> None:
        if self.end_on <= self.start_on:
            raise ValueError(f"usage span {self.start_on} to {self.end_on} is empty")

    @property
    def period(self) -> Period:
        return Period(self.start_on, self.end_on)


def year_earlier(day: date) -> date:
    """The same date a year before (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def same_span_last_year(span: Period) -> Period:
    return Period(year_earlier(span.start), year_earlier(span.end))


def recent_span(before: date, days: int) -> Period:
    """The ``days`` days just before ``before``."""
    return Period(before - timedelta(days=days), before)


def usage_over(history: Iterable[UsageRecord], span: Period) -> Decimal | None:
    """Energy (Wh, exact) the history shows over ``span``, or ``None`` if a day is missing.

    Records must not overlap each other (they are consecutive read-to-read spans).
    """
    covered_days = 0
    energy = Decimal(0)
    for record in history:
        shared = record.period.intersection(span)
        if shared is None:
            continue
        covered_days += shared.days
        energy += Decimal(record.energy_wh) * shared.days / record.period.days
    return energy if covered_days == span.days else None


def daily_use(history: Iterable[UsageRecord], span: Period) -> Decimal | None:
    """Average Wh per day over ``span``, or ``None`` if the history does not cover it."""
    energy = usage_over(history, span)
    return None if energy is None else energy / span.days
