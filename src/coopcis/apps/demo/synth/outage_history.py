"""Five years of outage history for the demo co-op, storms included.

Made to look like a rural New Mexico distribution co-op's records: a few hundred fuse and
transformer outages a year (a handful of customers each, an hour or two), a few dozen
recloser lockouts on the feeders (hundreds of customers), the odd substation and
transmission (power supplier) outage, planned work, recloser momentary operations, and a
storm day or two a year when lines come down by the dozen. For 20,000 customers this gives
SAIFI about 2.4 and SAIDI about 150-200 minutes a year without the storms, near what rural
co-ops report, so that the indices and the Major Event Day threshold mean something.
Deterministic for a seed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np

from coopcis.core.periods import CO_OP_TIME_ZONE

#: Rates per year for a 20,000-customer co-op (scaled to the demo's size).
REFERENCE_CUSTOMERS = 20_000


@dataclass(frozen=True)
class Kind:
    label: str
    per_year: float
    customers: tuple[int, int]  # range for a 20,000-customer co-op
    median_minutes: float
    causes: tuple[str, ...]
    device: str


KINDS = (
    Kind(
        "fuse",
        480,
        (1, 40),
        100,
        ("tree", "animal", "equipment", "lightning", "vehicle", "unknown"),
        "F",
    ),
    Kind("recloser", 24, (200, 1500), 70, ("tree", "lightning", "equipment", "unknown"), "R"),
    Kind("substation", 1.5, (2500, 7000), 45, ("equipment",), "SUB"),
    Kind("power_supplier", 0.6, (15000, 20000), 35, ("power_supplier",), "TX"),
    Kind("planned", 18, (5, 120), 120, ("planned",), "F"),
)
MOMENTARY_PER_YEAR = 80
STORM_DAYS_PER_YEAR = 1.2


@dataclass(frozen=True)
class SyntheticInterruption:
    start_at: datetime
    end_at: datetime
    customers: int
    cause: str
    device: str


def _moment(rng: np.random.Generator, day: date, *, daytime: bool = False) -> datetime:
    minute = int(rng.integers(7 * 60, 17 * 60) if daytime else rng.integers(0, 24 * 60))
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=CO_OP_TIME_ZONE)


def _customers(rng: np.random.Generator, span: tuple[int, int], scale: float) -> int:
    low, high = (max(1, round(bound * scale)) for bound in span)
    return int(rng.integers(low, max(low, high) + 1))


def outage_history(
    *, first_day: date, end_day: date, customers_served: int, seed: int
) -> Iterator[SyntheticInterruption]:
    """Interruptions starting on local days ``[first_day, end_day)``."""
    rng = np.random.default_rng([seed, 0x0A7])
    scale = customers_served / REFERENCE_CUSTOMERS
    days = (end_day - first_day).days
    years = days / 365.25

    def day_at(offset: int) -> date:
        return first_day + timedelta(days=int(offset))

    for kind in KINDS:
        count = int(rng.poisson(kind.per_year * years * (scale if kind.customers[1] < 200 else 1)))
        for offset in rng.integers(0, days, size=count):
            start = _moment(rng, day_at(offset), daytime=kind.label == "planned")
            minutes = float(rng.lognormal(np.log(kind.median_minutes), 0.6)) + 6
            yield SyntheticInterruption(
                start_at=start,
                end_at=start + timedelta(minutes=round(minutes)),
                customers=_customers(rng, kind.customers, scale),
                cause=str(rng.choice(kind.causes)),
                device=f"{kind.device}-{int(rng.integers(1, 60))}",
            )
    for offset in rng.integers(0, days, size=int(rng.poisson(MOMENTARY_PER_YEAR * years))):
        start = _moment(rng, day_at(offset))
        device = f"R-{int(rng.integers(1, 60))}"
        customers = _customers(rng, (200, 1500), scale)
        for shot in range(int(rng.integers(1, 3))):  # a reclosing sequence of one or two
            at = start + timedelta(seconds=40 * shot)
            yield SyntheticInterruption(
                at, at + timedelta(seconds=20), customers, "unknown", device
            )
    for offset in rng.integers(0, days, size=int(rng.poisson(STORM_DAYS_PER_YEAR * years))):
        day = day_at(offset)
        for index in range(
            int(rng.integers(40, 160) * max(scale, 0.05)) + int(rng.integers(4, 14))
        ):
            big = index % 12 == 0
            start = _moment(rng, day)
            minutes = float(rng.lognormal(np.log(300 if big else 240), 0.5)) + 6
            yield SyntheticInterruption(
                start_at=start,
                end_at=start + timedelta(minutes=round(minutes)),
                customers=_customers(rng, (200, 1200) if big else (1, 40), scale),
                cause="extreme_storm",
                device=f"{'R' if big else 'F'}-{int(rng.integers(1, 60))}",
            )
