"""What the usage app announces (coopcis.events): the notifications subscribe and send."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class HighUsage:
    """A day's use went over the member's threshold: ``alert_id`` is the ``UsageAlert``
    to send (kind "high_usage"); the sender stamps its ``sent_at``."""

    alert_id: int
    account_id: int
    day: date
