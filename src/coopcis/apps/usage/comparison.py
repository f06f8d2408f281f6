"""The member's latest 12 months rated on every schedule open to their class.

For each interval-metered service point the account has an agreement on: the schedules
of the catalog with the rate class of the agreement's own (``ocec-res`` and
``ocec-res-tou`` for a residential member), the latest 12 billing months (a billed
month over its bill's read-to-read days, an earlier one over its register reads' days,
with that month's PCA/DCA factors and the county's taxes, as its bill was or would have
been rated), rated by :func:`coopcis.core.rating.comparison.compare_tariffs`. A point
with neither bills nor register reads compares its latest 12 whole calendar months of
interval data at base rates (no riders).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from coopcis.apps.billing.models import Bill, BillStatus
from coopcis.apps.billing.rating import location_taxes, tariff_versions
from coopcis.apps.billing.run import rider_factors
from coopcis.apps.members.models import Account
from coopcis.apps.metering.history import read_spans
from coopcis.apps.metering.models import RegisterRead
from coopcis.apps.premises.models import ServiceAgreement
from coopcis.apps.usage.readings import IntervalMeter, interval_meters, intervals
from coopcis.catalog.tariffs import UnknownTariffError, tariff_codes
from coopcis.core.periods import Period
from coopcis.core.rating.comparison import MonthUsage, TariffComparison, compare_tariffs
from coopcis.core.rating.intervals import Interval
from coopcis.core.rating.riders import Riders
from coopcis.core.rating.tariff import Tariff

MONTHS = 12


NET_METERED = "net_metered"


@dataclass(frozen=True, slots=True)
class PointComparison:
    """One service point's comparison; ``reason`` says why there is none (a net meter:
    its bill nets the energy it sends back, which the comparison does not price)."""

    service_point_code: str
    tariffs: dict[str, Tariff]  # code -> latest version (names for the page)
    comparison: TariffComparison | None
    reason: str = ""


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


def _billing_months(
    agreement: ServiceAgreement, meters: list[IntervalMeter], today: date
) -> list[MonthUsage]:
    """The latest 12 billing months of the agreement: a billed month over its bill's days,
    one from before coopcis billed over its register reads' days (as the usage history
    counts it), each with that month's PCA/DCA factors (none set: base rates) and the
    county's taxes on its bill date (or closing read)."""
    bills = {
        bill.period: bill
        for bill in Bill.objects.filter(agreement=agreement)
        .exclude(status=BillStatus.CANCELLED)
        .order_by("period", "id")
    }
    days: dict[str, tuple[date, date]] = {}
    power_factors = _power_factors(agreement, today)
    since = today - timedelta(days=31 * (MONTHS + 1))
    for span in read_spans(service_point_ids=[agreement.service_point_id], since=since):
        if span.previous_on < agreement.start_on or (
            agreement.end_on is not None and span.current_on > agreement.end_on
        ):
            continue
        first, last = days.get(span.period, (span.previous_on, span.current_on))
        days[span.period] = (min(first, span.previous_on), max(last, span.current_on))
    for period, bill in bills.items():
        days[period] = (bill.period_start, bill.period_end)
    county = agreement.service_point.premise.county
    months = []
    for label in sorted(days)[-MONTHS:]:
        start_on, end_on = days[label]
        bill = bills.get(label)
        factors = rider_factors(label)
        taxes = location_taxes({county}, bill.bill_date if bill else end_on).get(county, ())
        riders = Riders(factors_per_kwh=factors, taxes=taxes) if factors else None
        found = _as_intervals(meters, start_on, end_on)
        if found:
            months.append(
                MonthUsage(
                    label,
                    found,
                    riders,
                    power_factor=bill.power_factor if bill else power_factors.get(label),
                    contract_kw=agreement.contract_kw,
                    loss_factor=agreement.loss_factor or Decimal(0),
                )
            )
    return months


def _power_factors(agreement: ServiceAgreement, today: date) -> dict[str, Decimal]:
    """The power factor read at each billing month's closing read (Rate 19's adjustment)."""
    rows = RegisterRead.objects.filter(
        meter__installations__service_point_id=agreement.service_point_id,
        read_on__gte=today - timedelta(days=31 * (MONTHS + 1)),
        power_factor__isnull=False,
    ).values_list("read_on", "power_factor")
    return {f"{read_on.year:04d}-{read_on.month:02d}": factor for read_on, factor in rows}


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
        if any(meter.net_meter for meter in meters):
            results.append(
                PointComparison(agreement.service_point.code, {}, None, reason=NET_METERED)
            )
            continue
        months = _billing_months(agreement, meters, today) or _calendar_months(meters, today)
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
