""" "My bill on every rate I could choose": a member's own months rated on each tariff.

For an interval-metered member, each month's intervals are rated on every schedule open
to their rate class (e.g. OCEC residential flat and residential time of use) exactly as
``coopcis rate quote CODE --intervals FILE`` rates them: determinants from the intervals
(:func:`determinants_from_intervals`, with the version in force on the month's first
day), then :func:`rate_bill_prorated` over every version, with the month's riders
(PCA/DCA factors and taxes) when given. Each month's amounts are the rating engine's
totals (every line rounded half up to the cent, the total their sum); the differences
and the year's totals are sums of those cents, so nothing is rounded again.

The recommendation is plain: the schedule with the lowest total over the months
compared, and how much the member would have saved on it; "stay" when the current
schedule is the cheapest or the saving is under ``minimum_saving`` (a few dollars a year
is not worth the member's trouble, and rates change). Fewer than twelve months are
compared as they are, and the result says how many.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from coopcis.core.money import Money, total
from coopcis.core.periods import CO_OP_TIME_ZONE
from coopcis.core.rating.determinants import Determinants
from coopcis.core.rating.engine import RatedBill, rate_bill_prorated
from coopcis.core.rating.errors import MissingDeterminantError, TariffError
from coopcis.core.rating.intervals import Interval, IntervalDataError, determinants_from_intervals
from coopcis.core.rating.riders import Riders
from coopcis.core.rating.tariff import Tariff

DEFAULT_MINIMUM_SAVING = Money(Decimal("12.00"))


@dataclass(frozen=True, slots=True)
class MonthUsage:
    """One month to compare: a label (``2026-03``), its intervals and its riders, and the
    agreement's terms a demand schedule needs (``rate quote --power-factor
    --contract-kw --loss-factor``)."""

    label: str
    intervals: Sequence[Interval]
    riders: Riders | None = None
    power_factor: Decimal | None = None
    contract_kw: Decimal | None = None
    loss_factor: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class MonthComparison:
    """One month's total on each schedule (absent where it could not be rated) and the
    difference from the current schedule (positive: that schedule costs more)."""

    label: str
    energy_kwh: Decimal
    totals: Mapping[str, Money]
    differences: Mapping[str, Money]
    problems: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Recommendation:
    """``switch`` to ``code`` (saving ``saving`` over the months) or ``stay``."""

    action: str  # "switch" | "stay"
    code: str
    saving: Money
    months: int


@dataclass(frozen=True, slots=True)
class TariffComparison:
    current_code: str
    codes: tuple[str, ...]
    months: tuple[MonthComparison, ...]
    totals: Mapping[str, Money]
    differences: Mapping[str, Money]
    recommendation: Recommendation | None


def version_on(versions: Sequence[Tariff], first: datetime) -> Tariff:
    """The version in force on the local day ``first`` falls in, else the latest (as
    ``rate quote --intervals`` picks the version it takes determinants from)."""
    day = first.astimezone(CO_OP_TIME_ZONE).date()
    ordered = sorted(versions, key=lambda version: version.effective_date)
    in_force = [version for version in ordered if version.effective_date <= day]
    return in_force[-1] if in_force else ordered[-1]


def month_determinants(*, tariff: Tariff, month: MonthUsage) -> Determinants:
    """The month's determinants for ``tariff``, as ``rate quote --intervals`` takes them."""
    return determinants_from_intervals(
        intervals=month.intervals,
        tariff=tariff,
        power_factor=month.power_factor,
        contract_kw=month.contract_kw,
        loss_factor=month.loss_factor,
    )


def rate_month(
    *, versions: Sequence[Tariff], month: MonthUsage, determinants: Determinants | None = None
) -> RatedBill:
    """One month's intervals on one schedule, as ``coopcis rate quote --intervals``."""
    if determinants is None:
        first = min(interval.start_at for interval in month.intervals)
        determinants = month_determinants(tariff=version_on(versions, first), month=month)
    return rate_bill_prorated(versions=versions, determinants=determinants, riders=month.riders)


class _SharedDeterminants:
    """A month's determinants computed once per time-of-use schedule: they depend on the
    tariff only through it, and a schedule without one gets the same figures with no
    time-of-use parts (exactly what :func:`determinants_from_intervals` gives it)."""

    def __init__(self, month: MonthUsage) -> None:
        self.month = month
        self.first = min(interval.start_at for interval in month.intervals)
        self.by_schedule: dict[object, Determinants] = {}

    def for_versions(self, versions: Sequence[Tariff]) -> Determinants:
        tariff = version_on(versions, self.first)
        schedule = tariff.time_of_use
        if schedule is None and self.by_schedule:
            some = next(iter(self.by_schedule.values()))
            return replace(some, energy_kwh_by_tou={}, demand_kw_by_tou={})
        key = repr(schedule)
        if key not in self.by_schedule:
            self.by_schedule[key] = month_determinants(tariff=tariff, month=self.month)
        return self.by_schedule[key]


def compare_tariffs(
    *,
    months: Sequence[MonthUsage],
    schedules: Mapping[str, Sequence[Tariff]],
    current_code: str,
    minimum_saving: Money = DEFAULT_MINIMUM_SAVING,
) -> TariffComparison:
    """Rate every month on every schedule; a schedule that cannot rate a month (it
    needs a determinant intervals do not give, like fixtures) is left out of the totals
    and the recommendation, its reason kept on the month."""
    if current_code not in schedules:
        raise TariffError(f"the current schedule {current_code!r} is not among those compared")
    codes = tuple(sorted(schedules, key=lambda code: (code != current_code, code)))
    rated: list[MonthComparison] = []
    failed: set[str] = set()
    for month in months:
        if not month.intervals:
            continue
        totals: dict[str, Money] = {}
        problems: dict[str, str] = {}
        shared = _SharedDeterminants(month)
        # time-of-use schedules first, so a flat one reuses their figures
        ordered = sorted(codes, key=lambda code: schedules[code][-1].time_of_use is None)
        for code in ordered:
            try:
                bill = rate_month(
                    versions=schedules[code],
                    month=month,
                    determinants=shared.for_versions(schedules[code]),
                )
            except (MissingDeterminantError, TariffError, IntervalDataError) as error:
                problems[code] = str(error)
                failed.add(code)
                continue
            totals[code] = bill.total
        energy_wh = sum(interval.energy_wh for interval in month.intervals)
        rated.append(
            MonthComparison(
                label=month.label,
                energy_kwh=Decimal(energy_wh) / 1000,
                totals=totals,
                differences=_differences(totals, current_code),
                problems=problems,
            )
        )
    comparable = [code for code in codes if code not in failed]
    year = {code: total([month.totals[code] for month in rated]) for code in comparable}
    return TariffComparison(
        current_code=current_code,
        codes=codes,
        months=tuple(rated),
        totals=year,
        differences=_differences(year, current_code),
        recommendation=_recommend(year, current_code, len(rated), minimum_saving),
    )


def _differences(totals: Mapping[str, Money], current_code: str) -> dict[str, Money]:
    current = totals.get(current_code)
    if current is None:
        return {}
    return {code: amount - current for code, amount in totals.items() if code != current_code}


def _recommend(
    year: Mapping[str, Money], current_code: str, months: int, minimum_saving: Money
) -> Recommendation | None:
    if not months or current_code not in year:
        return None
    current = year[current_code]
    cheapest = min(year, key=lambda code: (year[code].amount, code != current_code, code))
    saving = current - year[cheapest]
    if cheapest == current_code or saving.amount < minimum_saving.amount:
        return Recommendation("stay", current_code, saving, months)
    return Recommendation("switch", cheapest, saving, months)
