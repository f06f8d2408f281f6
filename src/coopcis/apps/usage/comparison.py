"""The member's latest 12 months rated on every schedule open to their class.

For each interval-metered service point the account has an agreement on: the schedules
of the catalog with the rate class of the agreement's own (``ocec-res`` and
``ocec-res-tou`` for a residential member), the latest 12 billed months (each bill's
read-to-read days, with that month's PCA/DCA factors and the county's taxes, as its
bill was rated), rated by :func:`coopcis.core.rating.comparison.compare_tariffs`. A
point with no bill yet compares its latest 12 whole calendar months of interval data
at base rates (no riders).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from coopcis.apps.billing.models import Bill, BillStatus
from coopcis.apps.billing.rating import location_taxes, tariff_versions
from coopcis.apps.billing.run import rider_factors
from coopcis.apps.members.models import Account
from coopcis.apps.premises.models import ServiceAgreement
from coopcis.apps.usage.readings import IntervalMeter, interval_meters, intervals
from coopcis.catalog.tariffs import UnknownTariffError, tariff_codes
from coopcis.core.periods import Period
from coopcis.core.rating.comparison import MonthUsage, TariffComparison, compare_tariffs
from coopcis.core.rating.intervals import Interval
from coopcis.core.rating.riders import Riders
from coopcis.core.rating.tariff import Tariff

MONTHS = 12


@dataclass(frozen=True, slots=True)
class PointComparison:
    service_point_code: str
    tariffs: dict[str, Tariff]  # code -> latest version (names for the page)
    comparison: TariffComparison


def schedules_for_class(rate_class: str) -> dict[str, tuple[Tariff, ...]]:
    """Every catalog schedule of ``rate_class``, by code, with all its versions."""
    return {
        code: tariff_versions(code)
        for code in tariff_codes()
        if tariff_versions(code)[-1].rate_class == rate_class
    }


def _as_intervals(meters: list[IntervalMeter], start_on: date, end_on: date) -> list[Interval]:
    return [
        Interval(value.start_at, value.minutes, value.energy_wh)
        for value in intervals(meters, start_on=start_on, end_on=end_on)
    ]


def _billed_months(agreement: ServiceAgreement, meters: list[IntervalMeter]) -> list[MonthUsage]:
    bills = list(
        Bill.objects.filter(agreement=agreement)
        .exclude(status=BillStatus.CANCELLED)
        .order_by("-period", "-id")[:MONTHS]
    )
    county = agreement.service_point.premise.county
    months = []
    for bill in reversed(bills):
        riders = Riders(
            factors_per_kwh=rider_factors(bill.period),
            taxes=location_taxes({county}, bill.bill_date).get(county, ()),
        )
        found = _as_intervals(meters, bill.period_start, bill.period_end)
        months.append(MonthUsage(bill.period, found, riders))
    return months


def _calendar_months(meters: list[IntervalMeter], through: date) -> list[MonthUsage]:
    """The latest 12 whole calendar months before ``through``'s month."""
    months = []
    year, month = through.year, through.month
    for _ in range(MONTHS):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        period = Period.month(year, month)
        found = _as_intervals(meters, period.start, period.end)
        if found:
            months.append(MonthUsage(period.start.strftime("%Y-%m"), found))
    return list(reversed(months))


def compare_account(account: Account, *, today: date) -> list[PointComparison]:
    """The comparison for each interval-metered service point of the account."""
    agreements = (
        ServiceAgreement.objects.filter(account=account)
        .exclude(end_on__lte=today)
        .select_related("service_point__premise")
        .order_by("service_point__code")
    )
    results = []
    for agreement in agreements:
        meters = interval_meters(agreement.service_point_id)
        if not meters:
            continue
        try:
            current = tariff_versions(agreement.tariff_code)
        except UnknownTariffError:
            continue
        schedules = schedules_for_class(current[-1].rate_class)
        months = _billed_months(agreement, meters) or _calendar_months(meters, today)
        comparison = compare_tariffs(
            months=months, schedules=schedules, current_code=agreement.tariff_code
        )
        results.append(
            PointComparison(
                agreement.service_point.code,
                {code: versions[-1] for code, versions in schedules.items()},
                comparison,
            )
        )
    return results
