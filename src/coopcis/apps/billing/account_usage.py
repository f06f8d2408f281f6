"""The account page's usage card: 13 months of kWh (and kW where billed) per service
point, the reads behind each month, and for interval meters the daily use.

A month's figure is its bill's when the account was billed for it (what the member paid
for), otherwise the register reads' (history from before coopcis billed; see
:mod:`coopcis.apps.metering.history`). Reads count only from the day the account's
agreement at the service point began, as on the printed bill. Five queries however long
the history: agreements, bills, meter installations, register reads, interval data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from coopcis.apps.billing.models import Bill, BillStatus
from coopcis.apps.billing.pdf.document import chart_periods
from coopcis.apps.members.models import Account
from coopcis.apps.metering.history import ReadSpan, daily_energy, read_spans
from coopcis.apps.premises.models import ServiceAgreement, ServicePoint

#: The daily view: the latest 30 days of interval data.
DAILY_DAYS = 30
EARLIEST = date(1900, 1, 1)


@dataclass(frozen=True, slots=True)
class UsageMonth:
    """One month at a service point: its use and the reads behind it."""

    period: str
    energy_wh: int | None
    demand_kw: Decimal | None = None
    bill: Bill | None = None
    spans: tuple[ReadSpan, ...] = ()

    @property
    def from_reads(self) -> bool:
        return self.bill is None and bool(self.spans)


@dataclass
class PointUsage:
    """A service point's 13 months, newest last, and its daily use when it has intervals."""

    service_point: ServicePoint
    tariff_code: str
    months: list[UsageMonth] = field(default_factory=list)
    daily: list[tuple[date, int]] = field(default_factory=list)

    @property
    def bills_demand(self) -> bool:
        return any(month.demand_kw is not None for month in self.months)

    @property
    def has_use(self) -> bool:
        return any(month.energy_wh is not None for month in self.months)

    @property
    def energy_points(self) -> list[tuple[str, Decimal | None]]:
        return [
            (m.period, None if m.energy_wh is None else Decimal(m.energy_wh) / 1000)
            for m in self.months
        ]

    @property
    def demand_points(self) -> list[tuple[str, Decimal | None]]:
        return [(m.period, m.demand_kw) for m in self.months]

    @property
    def daily_points(self) -> list[tuple[str, Decimal | None]]:
        return [(day.isoformat(), Decimal(wh) / 1000) for day, wh in self.daily]

    @property
    def newest_first(self) -> list[UsageMonth]:
        return [month for month in reversed(self.months) if month.energy_wh is not None]


def _latest_period(bills: list[Bill], spans: list[ReadSpan]) -> str | None:
    periods = [bill.period for bill in bills] + [span.period for span in spans]
    return max(periods, default=None)


def account_usage(account: Account) -> list[PointUsage]:
    """Every service point the account has had an agreement on, with its usage."""
    agreements = list(
        ServiceAgreement.objects.filter(account=account)
        .select_related("service_point")
        .order_by("service_point__code", "start_on")
    )
    if not agreements:
        return []
    started: dict[int, date] = {}
    points: dict[int, PointUsage] = {}
    for agreement in agreements:
        point = agreement.service_point
        started[point.pk] = min(started.get(point.pk, agreement.start_on), agreement.start_on)
        points[point.pk] = PointUsage(point, agreement.tariff_code)
    bills = list(
        Bill.objects.filter(account=account)
        .exclude(status=BillStatus.CANCELLED)
        .order_by("period", "id")
    )
    since = EARLIEST  # no bill yet: every read, the chart ends with the latest
    latest = max((bill.period for bill in bills), default=None)
    if latest is not None:
        first = chart_periods(latest)[0]
        since = date(int(first[:4]), int(first[5:7]), 1)
    spans = [
        span
        for span in read_spans(service_point_ids=points, since=since)
        if span.previous_on >= started[span.service_point_id]
    ]
    latest = _latest_period(bills, spans)
    if latest is None:
        return list(points.values())
    window = chart_periods(latest)
    for point_id, usage in points.items():
        usage.months = _months(window, point_id, bills, spans)
    _add_daily(points, spans, bills)
    return list(points.values())


def _months(
    window: list[str], point_id: int, bills: list[Bill], spans: list[ReadSpan]
) -> list[UsageMonth]:
    billed = {bill.period: bill for bill in bills if bill.service_point_id == point_id}
    read: dict[str, list[ReadSpan]] = {}
    for span in spans:
        if span.service_point_id == point_id:
            read.setdefault(span.period, []).append(span)
    months = []
    for period in window:
        bill = billed.get(period)
        period_spans = tuple(read.get(period, ()))
        if bill is not None:
            months.append(UsageMonth(period, bill.energy_wh, bill.demand_kw, bill, period_spans))
        elif period_spans:
            demands = [span.demand_kw for span in period_spans if span.demand_kw is not None]
            months.append(
                UsageMonth(
                    period,
                    sum(span.energy_wh for span in period_spans),
                    max(demands) if demands else None,
                    None,
                    period_spans,
                )
            )
        else:
            months.append(UsageMonth(period, None))
    return months


def _add_daily(points: dict[int, PointUsage], spans: list[ReadSpan], bills: list[Bill]) -> None:
    """The latest ``DAILY_DAYS`` days of interval data, ending at the latest read or bill."""
    ends = [span.current_on for span in spans] + [bill.period_end for bill in bills]
    if not ends:
        return
    end_on = max(ends)
    days = daily_energy(
        service_point_ids=points, start_on=end_on - timedelta(days=DAILY_DAYS), end_on=end_on
    )
    for point_id, by_day in days.items():
        if point_id in points:
            points[point_id].daily = sorted(by_day.items())
