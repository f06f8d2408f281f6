"""What the simulation knows of its co-op: the calendar, members, services and read files."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

#: The simulated months: bills for July to November 2026, all before the clock's today.
START = date(2026, 7, 20)
END = date(2026, 11, 30)
MONTHS = ("2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12")
ODFI_ROUTING = "102000021"


@dataclass
class Service:
    """One member's service at one location: its meter and the register as truly read."""

    point_code: str
    meter_serial: str
    agreement_id: int
    register_kwh: int
    started_on: date
    ended_on: date | None = None


@dataclass
class Member:
    account_id: int
    number: str
    membership_id: int
    habit: str  # "prompt", "late" or "never": how the member pays
    services: list[Service] = field(default_factory=list)
    left: bool = False
    drafted: bool = False

    @property
    def service(self) -> Service | None:
        live = [s for s in self.services if s.ended_on is None]
        return live[-1] if live else None


@dataclass
class ReadFile:
    """Reads the head-end will deliver on ``arrives_on`` (late ones after the bill run)."""

    arrives_on: date
    rows: list[tuple[str, date, int]]
    name: str
    delivered: int = 0
    again: bool = False  # delivered a second time (the same file, or its rows re-sent)
