"""Determinants from interval data (5, 15 or 60 minute integer Wh), DST-safe.

Intervals are compared as UTC instants, so the repeated 01:00-02:00 hour of the
autumn change is two distinct hours, and the missing hour of the spring change is
no gap. Gaps, duplicates, overlaps, mixed lengths and refused negatives are
reported together in one :class:`IntervalDataError`; nothing is silently billed.

Demand (issue "rating engine"; Rate 19 DETERMINATION OF BILLING DEMAND, seed 003):
an interval's kW is its kWh x 60 / its minutes; NCP demand is the highest average
kW over any rolling 15-minute window (three consecutive 5-minute intervals; each
single interval when intervals are 15 minutes or longer).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from zoneinfo import ZoneInfo

from coopcis.core.periods import CO_OP_TIME_ZONE, InstantRange, Period
from coopcis.core.rating.determinants import Determinants
from coopcis.core.rating.tariff import Tariff
from coopcis.core.rating.tou import TouSchedule, classify_tou, is_on_peak
from coopcis.core.units import wh_to_kwh

__all__ = [
    "Interval",
    "IntervalDataError",
    "IntervalProblem",
    "classify_tou",
    "determinants_from_intervals",
    "energy_kwh_by_tou",
    "is_on_peak",
    "ncp_demand_kw",
    "validate_intervals",
]

INTERVAL_MINUTES = (5, 15, 30, 60)
DEMAND_WINDOW_MINUTES = 15
DELIVERED = "delivered"
RECEIVED = "received"


@dataclass(frozen=True, slots=True)
class Interval:
    """Energy ``energy_wh`` (integer Wh) in ``[start_at, start_at + minutes)``."""

    start_at: datetime
    minutes: int
    energy_wh: int

    def __post_init__(self) -> None:
        if self.start_at.tzinfo is None or self.start_at.utcoffset() is None:
            raise ValueError(f"interval start {self.start_at} must carry a time zone")
        if self.minutes not in INTERVAL_MINUTES:
            raise ValueError(f"interval length must be one of {INTERVAL_MINUTES} minutes")
        if isinstance(self.energy_wh, bool) or not isinstance(self.energy_wh, int):
            raise TypeError(f"energy_wh must be an int, got {type(self.energy_wh).__name__}")

    @property
    def end_at(self) -> datetime:
        return self.start_at + timedelta(minutes=self.minutes)

    @property
    def kw(self) -> Decimal:
        """Average demand: kWh x 60 / minutes."""
        return wh_to_kwh(self.energy_wh) * 60 / Decimal(self.minutes)


@dataclass(frozen=True, slots=True)
class IntervalProblem:
    """One defect in a series: gap, duplicate, overlap, length, negative or empty."""

    kind: str
    at: datetime | None
    message: str

    def __str__(self) -> str:
        where = f" at {_local(self.at)}" if self.at is not None else ""
        return f"{self.kind}{where}: {self.message}"


class IntervalDataError(ValueError):
    """Interval data that cannot be billed; ``problems`` lists each with its timestamp."""

    def __init__(self, problems: Sequence[IntervalProblem]) -> None:
        self.problems = tuple(problems)
        listed = "; ".join(str(problem) for problem in self.problems)
        super().__init__(f"interval data has {len(self.problems)} problem(s): {listed}")


def _local(instant: datetime) -> str:
    return instant.astimezone(CO_OP_TIME_ZONE).isoformat()


def _utc(intervals: Iterable[Interval]) -> list[Interval]:
    # Same-zone aware datetimes compare by wall clock; UTC makes DST hours distinct.
    # An interval already in UTC (as stored data is read back) is kept as it is.
    return sorted(
        (
            i
            if i.start_at.tzinfo is UTC
            else Interval(i.start_at.astimezone(UTC), i.minutes, i.energy_wh)
            for i in intervals
        ),
        key=lambda interval: (interval.start_at, interval.minutes),
    )


def _sequence_problems(ordered: list[Interval]) -> list[IntervalProblem]:
    problems = []
    for previous, current in pairwise(ordered):
        if current.start_at == previous.start_at:
            problems.append(
                IntervalProblem("duplicate", current.start_at, "two intervals start here")
            )
        elif current.start_at < previous.end_at:
            message = f"starts before the interval from {_local(previous.start_at)} ends"
            problems.append(IntervalProblem("overlap", current.start_at, message))
        elif current.start_at > previous.end_at:
            missing = int((current.start_at - previous.end_at).total_seconds()) // 60
            message = f"no data from {_local(previous.end_at)} ({missing} minutes missing)"
            problems.append(IntervalProblem("gap", current.start_at, message))
    return problems


def _range_problems(ordered: list[Interval], expected: InstantRange) -> list[IntervalProblem]:
    problems = []
    first, latest = ordered[0], ordered[-1]
    if first.start_at > expected.start_at:
        message = f"no data from the period start {_local(expected.start_at)}"
        problems.append(IntervalProblem("gap", first.start_at, message))
    if latest.end_at < expected.end_at:
        message = f"no data to the period end {_local(expected.end_at)}"
        problems.append(IntervalProblem("gap", latest.end_at, message))
    for interval in ordered:
        if interval.start_at < expected.start_at or interval.end_at > expected.end_at:
            message = "interval falls outside the billing period"
            problems.append(IntervalProblem("overlap", interval.start_at, message))
    return problems


def validate_intervals(
    intervals: Iterable[Interval],
    *,
    expected: InstantRange | None = None,
    allow_negative: bool = False,
) -> list[Interval]:
    """The intervals in time order (UTC), or :class:`IntervalDataError` listing every defect.

    ``expected`` (optional) is the billing period the data must cover exactly.
    Negative Wh are refused unless ``allow_negative`` (net-metered received channel).
    """
    ordered = _utc(intervals)
    if not ordered:
        raise IntervalDataError([IntervalProblem("empty", None, "no intervals")])
    length = ordered[0].minutes
    problems = [
        IntervalProblem(
            "length", i.start_at, f"{i.minutes}-minute interval in {length}-minute data"
        )
        for i in ordered
        if i.minutes != length
    ]
    if not allow_negative:
        problems.extend(
            IntervalProblem("negative", i.start_at, f"{i.energy_wh} Wh on a delivered channel")
            for i in ordered
            if i.energy_wh < 0
        )
    problems.extend(_sequence_problems(ordered))
    if expected is not None:
        problems.extend(_range_problems(ordered, expected))
    if problems:
        raise IntervalDataError(sorted(problems, key=_problem_order))
    return ordered


def _problem_order(problem: IntervalProblem) -> datetime:
    assert problem.at is not None  # only the empty series has no timestamp
    return problem.at


def _window_size(minutes: int) -> int:
    return DEMAND_WINDOW_MINUTES // minutes if minutes < DEMAND_WINDOW_MINUTES else 1


def _window_sums(ordered: Sequence[Interval]) -> list[int]:
    """Wh in each rolling demand window, indexed by the window's first interval."""
    size = _window_size(ordered[0].minutes)
    energy = [interval.energy_wh for interval in ordered]
    if len(energy) < size:
        raise IntervalDataError(
            [IntervalProblem("gap", ordered[0].start_at, "less than 15 minutes of data")]
        )
    running = sum(energy[:size])
    sums = [running]
    for index in range(size, len(energy)):
        running += energy[index] - energy[index - size]
        sums.append(running)
    return sums


def _window_kw(energy_wh: int, minutes: int) -> Decimal:
    window_minutes = minutes * _window_size(minutes)
    return Decimal(energy_wh) * 60 / Decimal(1000 * window_minutes)


def ncp_demand_kw(intervals: Iterable[Interval]) -> Decimal:
    """Non-coincident peak: the highest rolling 15-minute average kW (Rate 19, seed 003)."""
    ordered = validate_intervals(intervals, allow_negative=True)
    return _window_kw(max(_window_sums(ordered)), ordered[0].minutes)


def energy_kwh_by_tou(
    intervals: Iterable[Interval], *, schedule: TouSchedule
) -> dict[str, Decimal]:
    """kWh per TOU period, each interval classified by its local start."""
    ordered = list(intervals)
    return _energy_by_period(ordered, _periods(ordered, schedule), schedule)


def _periods(ordered: Sequence[Interval], schedule: TouSchedule) -> list[str]:
    """Each interval's period, by its local start (classified once, used for kWh and kW)."""
    return [schedule.classify(interval.start_at) for interval in ordered]


def _energy_by_period(
    ordered: Sequence[Interval], labels: Sequence[str], schedule: TouSchedule
) -> dict[str, Decimal]:
    totals = dict.fromkeys(schedule.periods, 0)
    for interval, label in zip(ordered, labels, strict=True):
        totals[label] += interval.energy_wh
    return {name: wh_to_kwh(wh) for name, wh in totals.items()}


def demand_kw_by_tou(ordered: Sequence[Interval], *, schedule: TouSchedule) -> dict[str, Decimal]:
    """Peak rolling-window kW per TOU period.

    A window counts toward a period only when every interval in it starts in that
    period, so a 14:55-15:10 window is neither on- nor off-peak. A period with no
    whole window has 0 kW.
    """
    return _demand_by_period(ordered, _periods(ordered, schedule), schedule)


def _demand_by_period(
    ordered: Sequence[Interval], labels: Sequence[str], schedule: TouSchedule
) -> dict[str, Decimal]:
    size = _window_size(ordered[0].minutes)
    peaks = dict.fromkeys(schedule.periods, 0)
    for index, energy in enumerate(_window_sums(ordered)):
        window = labels[index : index + size]
        if all(label == window[0] for label in window):
            peaks[window[0]] = max(peaks[window[0]], energy)
    return {name: _window_kw(wh, ordered[0].minutes) for name, wh in peaks.items()}


def local_period(first: datetime, end_at: datetime, zone: ZoneInfo = CO_OP_TIME_ZONE) -> Period:
    """The local dates (America/Denver unless ``zone``) a span of instants touches."""
    start_date = first.astimezone(zone).date()
    local_end = end_at.astimezone(zone)
    end_date: date = local_end.date()
    if local_end.time() != datetime.min.time() or end_date == start_date:
        end_date += timedelta(days=1)
    return Period(start_date, end_date)


def determinants_from_intervals(
    *,
    intervals: Iterable[Interval],
    tariff: Tariff,
    channel: str = DELIVERED,
    net_metered: bool = False,
    expected: InstantRange | None = None,
    power_factor: Decimal | None = None,
    contract_kw: Decimal | None = None,
    loss_factor: Decimal = Decimal(0),
    earlier_demand_kw: tuple[Decimal, ...] = (),
) -> Determinants:
    """Billing determinants of the span the intervals cover (or ``expected``, checked).

    Energy is the sum of Wh; hours are the elapsed span; demand is the rolling
    15-minute NCP; a TOU tariff also gets kWh and peak kW per period. The period
    is the local dates the span touches. Negative intervals are accepted only on a
    net-metered ``received`` channel.
    """
    if channel not in (DELIVERED, RECEIVED):
        raise ValueError(f"channel must be {DELIVERED!r} or {RECEIVED!r}, got {channel!r}")
    allow_negative = channel == RECEIVED and net_metered
    ordered = validate_intervals(intervals, expected=expected, allow_negative=allow_negative)
    start_at, end_at = ordered[0].start_at, ordered[-1].end_at
    schedule = tariff.time_of_use
    labels = _periods(ordered, schedule) if schedule else []
    return Determinants(
        period=local_period(start_at, end_at),
        hours=Decimal(int((end_at - start_at).total_seconds())) / Decimal(3600),
        energy_kwh=wh_to_kwh(sum(interval.energy_wh for interval in ordered)),
        energy_kwh_by_tou=_energy_by_period(ordered, labels, schedule) if schedule else {},
        demand_kw=_window_kw(max(_window_sums(ordered)), ordered[0].minutes),
        demand_kw_by_tou=_demand_by_period(ordered, labels, schedule) if schedule else {},
        power_factor=power_factor,
        contract_kw=contract_kw,
        loss_factor=loss_factor,
        earlier_demand_kw=earlier_demand_kw,
    )
