"""What the usage app announces (coopcis.events) for apps above it that care."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class HighUsage:
    """A day's use went over the member's threshold: ``alert_id`` is the ``UsageAlert``
    (already handed to the notifications, kind "high_usage")."""

    alert_id: int
    account_id: int
    day: date
