"""Distribution reliability indices as IEEE Std 1366 defines them.

Every customer interruption is recorded with its start and end and the customers it
interrupted. One that lasts more than five minutes is *sustained*; five minutes or less,
*momentary* (1366, 3.14 and 3.27). With ``N_T`` the customers served:

- SAIFI = Σ customers interrupted / N_T (sustained interruptions);
- SAIDI = Σ customer minutes of interruption / N_T;
- CAIDI = SAIDI / SAIFI (the average restoration time);
- CAIFI = Σ customers interrupted / distinct customers interrupted;
- MAIFI = Σ customers momentarily interrupted / N_T, each momentary interruption counted;
- MAIFI_E = the same, counting momentary interruption *events*: the momentary operations
  of one device in one reclosing sequence count once, and a sequence that ends in a
  sustained interruption counts only as that sustained interruption;
- CEMI_n = customers with more than ``n`` sustained interruptions / N_T;
- CELID_s = customers with a single sustained interruption of ``t`` hours or more / N_T,
  CELID_t = customers whose sustained interruptions add up to ``t`` hours or more / N_T.

CAIFI, CEMI_n and CELID need to know *which* customers were interrupted; an interruption
imported from an older system knows only how many, and where any interruption in the
period lacks its customers those indices are ``None`` rather than a guess.

Major Event Days (the 2.5-beta method, 1366 section 4.5): the natural logarithms of the
daily SAIDI of the five years before (days with zero SAIDI left out), alpha their mean, beta
their sample standard deviation (n - 1, as the standard's worked example computes it),
T_MED = exp(alpha + 2.5 beta). A day whose SAIDI is greater than T_MED is a Major Event Day, and
indices are reported with and without them. An interruption belongs to the local day on
which it starts (the co-op's time zone); its minutes are counted on that day.

Sums are exact (minutes as Decimal); the logarithms and T_MED are floating point, which is
what the method is. Nothing here is money.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from coopcis.core.errors import RuleViolation
from coopcis.core.periods import CO_OP_TIME_ZONE

#: An interruption longer than this is sustained (IEEE 1366, 3.27).
MOMENTARY_LIMIT = timedelta(minutes=5)
#: Momentary operations of one device this close together are one event (a reclosing
#: sequence; 1366 leaves the window to the utility and recommends stating it).
EVENT_WINDOW = timedelta(minutes=5)
#: The 2.5-beta method's multiplier and its history: five years.
BETA_MULTIPLIER = Decimal("2.5")
MED_HISTORY_YEARS = 5


@dataclass(frozen=True, slots=True)
class Interruption:
    """One interruption of service to ``customers`` customers, ``[start_at, end_at)``.

    ``customer_ids`` names them where known (the co-op's own outages); history imported
    from another system carries only the count. ``device`` is the protective device that
    operated, where known; ``cause`` a cause code."""

    start_at: datetime
    end_at: datetime
    customers: int
    cause: str = ""
    device: str = ""
    customer_ids: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if self.start_at.tzinfo is None or self.end_at.tzinfo is None:
            raise RuleViolation("times need a UTC offset", field="start")
        if self.end_at < self.start_at:
            raise RuleViolation("the end is before the start", field="end")
        if self.customers < 0:
            raise RuleViolation("customers interrupted cannot be negative", field="customers")
        if self.customer_ids is not None and len(self.customer_ids) != self.customers:
            raise RuleViolation(
                f"{len(self.customer_ids)} customers named for {self.customers} interrupted",
                field="customers",
            )

    @property
    def minutes(self) -> Decimal:
        seconds = (self.end_at - self.start_at).total_seconds()
        return Decimal(round(seconds)) / 60

    @property
    def sustained(self) -> bool:
        return self.end_at - self.start_at > MOMENTARY_LIMIT

    def local_day(self, zone: ZoneInfo = CO_OP_TIME_ZONE) -> date:
        return self.start_at.astimezone(zone).date()


@dataclass(frozen=True)
class Indices:
    """The indices of one set of interruptions over ``customers_served`` customers."""

    customers_served: int
    sustained_interruptions: int
    customers_interrupted: int
    customer_minutes: Decimal
    saifi: Decimal
    saidi: Decimal
    caidi: Decimal | None
    caifi: Decimal | None
    maifi: Decimal
    maifi_e: Decimal
    cemi: dict[int, Decimal] | None = field(default=None)
    celid_single: dict[int, Decimal] | None = field(default=None)
    celid_total: dict[int, Decimal] | None = field(default=None)


def _ratio(numerator: Decimal | int, denominator: int) -> Decimal:
    return Decimal(numerator) / Decimal(denominator)


def momentary_events(interruptions: Iterable[Interruption]) -> list[list[Interruption]]:
    """Momentary interruptions grouped into events (see the module's MAIFI_E).

    Per device, operations starting within :data:`EVENT_WINDOW` of the previous one's end
    form one sequence; a sequence followed within the window by a sustained interruption
    of the same device is dropped (that interruption is counted as sustained instead).
    Momentary interruptions with no device are each their own event."""
    by_device: dict[str, list[Interruption]] = defaultdict(list)
    events: list[list[Interruption]] = []
    for item in interruptions:
        if item.device:
            by_device[item.device].append(item)
        elif not item.sustained:
            events.append([item])
    for items in by_device.values():
        items.sort(key=lambda i: i.start_at)
        sequence: list[Interruption] = []
        for item in items:
            if sequence and item.start_at - sequence[-1].end_at > EVENT_WINDOW:
                events.append(sequence)
                sequence = []
            if item.sustained:
                sequence = []  # the sequence ended in a sustained interruption
                continue
            sequence.append(item)
        if sequence:
            events.append(sequence)
    return events


def compute_indices(
    interruptions: Sequence[Interruption],
    *,
    customers_served: int,
    cemi_n: Sequence[int] = (1, 2, 3, 4, 5),
    celid_hours: Sequence[int] = (1, 4, 8, 12),
) -> Indices:
    """SAIFI, SAIDI, CAIDI, CAIFI, MAIFI, MAIFI_E, CEMI_n and CELID (module docstring)."""
    if customers_served <= 0:
        raise RuleViolation("customers served must be a positive number", field="customers_served")
    sustained = [i for i in interruptions if i.sustained]
    momentary = [i for i in interruptions if not i.sustained]
    interrupted = sum(i.customers for i in sustained)
    minutes = sum((i.minutes * i.customers for i in sustained), Decimal(0))
    saifi = _ratio(interrupted, customers_served)
    saidi = minutes / customers_served
    events = momentary_events(interruptions)
    known = all(i.customer_ids is not None for i in sustained)
    caifi = cemi = celid_single = celid_total = None
    if known:
        counts: dict[str, int] = defaultdict(int)
        longest: dict[str, Decimal] = defaultdict(Decimal)
        total: dict[str, Decimal] = defaultdict(Decimal)
        for item in sustained:
            for customer in item.customer_ids or ():
                counts[customer] += 1
                longest[customer] = max(longest[customer], item.minutes)
                total[customer] += item.minutes
        caifi = _ratio(interrupted, len(counts)) if counts else None
        cemi = {
            n: _ratio(sum(1 for k in counts.values() if k > n), customers_served) for n in cemi_n
        }
        celid_single = {
            h: _ratio(sum(1 for m in longest.values() if m >= 60 * h), customers_served)
            for h in celid_hours
        }
        celid_total = {
            h: _ratio(sum(1 for m in total.values() if m >= 60 * h), customers_served)
            for h in celid_hours
        }
    return Indices(
        customers_served=customers_served,
        sustained_interruptions=len(sustained),
        customers_interrupted=interrupted,
        customer_minutes=minutes,
        saifi=saifi,
        saidi=saidi,
        caidi=(saidi / saifi) if saifi else None,
        caifi=caifi,
        maifi=_ratio(sum(i.customers for i in momentary), customers_served),
        maifi_e=_ratio(sum(max(i.customers for i in event) for event in events), customers_served),
        cemi=cemi,
        celid_single=celid_single,
        celid_total=celid_total,
    )


def daily_saidi(
    interruptions: Iterable[Interruption],
    *,
    customers_served: int,
    zone: ZoneInfo = CO_OP_TIME_ZONE,
) -> dict[date, Decimal]:
    """Each local day's SAIDI (sustained interruptions, counted on the day they start);
    days without interruptions are absent (their SAIDI is zero)."""
    if customers_served <= 0:
        raise RuleViolation("customers served must be a positive number", field="customers_served")
    minutes: dict[date, Decimal] = defaultdict(Decimal)
    for item in interruptions:
        if item.sustained and item.customers:
            minutes[item.local_day(zone)] += item.minutes * item.customers
    return {day: value / customers_served for day, value in sorted(minutes.items())}


@dataclass(frozen=True)
class MajorEventThreshold:
    """T_MED and what it was computed from."""

    t_med: float
    alpha: float
    beta: float
    days_used: int
    first_day: date
    last_day: date


def major_event_threshold(
    history: dict[date, Decimal], *, first_day: date, last_day: date
) -> MajorEventThreshold | None:
    """T_MED by the 2.5-beta method from the daily SAIDI in ``[first_day, last_day]``;
    None when fewer than two days there have any SAIDI (no standard deviation)."""
    logs = [
        math.log(float(value))
        for day, value in history.items()
        if first_day <= day <= last_day and value > 0
    ]
    if len(logs) < 2:
        return None
    alpha = statistics.fmean(logs)
    beta = statistics.stdev(logs)
    return MajorEventThreshold(
        t_med=math.exp(alpha + float(BETA_MULTIPLIER) * beta),
        alpha=alpha,
        beta=beta,
        days_used=len(logs),
        first_day=first_day,
        last_day=last_day,
    )


def med_history_window(year: int) -> tuple[date, date]:
    """The five years before ``year``: the history its T_MED comes from."""
    return date(year - MED_HISTORY_YEARS, 1, 1), date(year - 1, 12, 31)


def major_event_days(
    daily: dict[date, Decimal], threshold: MajorEventThreshold | None
) -> list[date]:
    """The days whose SAIDI is greater than T_MED."""
    if threshold is None:
        return []
    return sorted(day for day, value in daily.items() if float(value) > threshold.t_med)
