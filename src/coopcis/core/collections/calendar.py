"""Business days and hours for field work, from a holiday set passed in.

The co-op's office is open on weekdays that are not New Mexico holidays (the Django side
asks ``holidays.country_holidays("US", subdiv="NM")`` and passes the dates in), within
the profile's business hours. Field orders for non-payment are worked only then, and a
connection outside them carries the after-hours fee (OCEC handbook, service charges).

Disconnection for non-payment is scheduled on an open day; when ``avoid_day_before_closed``
is set (the default, the common industry reading of 17.5.410 NMAC's aim that a member can
pay and be reconnected the next day), never on a day before a weekend or holiday either.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """Open days and hours: weekdays that are not ``holidays``, ``opens``-``closes`` local."""

    holidays: Collection[date] = field(default_factory=frozenset)
    opens: time = time(8, 0)
    closes: time = time(16, 0)
    avoid_day_before_closed: bool = True

    def is_open_day(self, day: date) -> bool:
        """A weekday that is not a holiday."""
        return day.weekday() < 5 and day not in self.holidays

    def next_open_day(self, day: date) -> date:
        """``day`` itself when open, else the first open day after it."""
        while not self.is_open_day(day):
            day += timedelta(days=1)
        return day

    def is_disconnect_day(self, day: date) -> bool:
        """An open day, and (if so configured) not the day before a closed day."""
        if not self.is_open_day(day):
            return False
        return not self.avoid_day_before_closed or self.is_open_day(day + timedelta(days=1))

    def next_disconnect_day(self, day: date) -> date:
        """The first day on or after ``day`` on which a disconnection may be worked."""
        while not self.is_disconnect_day(day):
            day += timedelta(days=1)
        return day

    def is_business_hours(self, moment: datetime) -> bool:
        """``moment`` (local wall time) falls on an open day within office hours."""
        return self.is_open_day(moment.date()) and self.opens <= moment.time() < self.closes
