"""What the member's usage page shows for one service point: the 13 months (kWh and
cost), and for interval meters a month's days, hours or 15-minute intervals with the
day's high and the weather-free facts.

The 13 months are the back office's usage card's (:func:`account_usage`: a month's
figure is its bill's, else the register reads'); a month's cost is its bill's total,
its days the bill's (or the reads') read-to-read days. Interval views are calendar
months in the co-op's time zone, from the stored interval blocks (two queries).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Max

from coopcis.apps.billing.account_usage import PointUsage, UsageMonth, account_usage
from coopcis.apps.billing.pdf.document import shift_month
from coopcis.apps.members.models import Account
from coopcis.apps.metering.models import Channel, IntervalBlock
from coopcis.apps.usage.readings import IntervalMeter, interval_meters, intervals, local_midnight
from coopcis.core.periods import CO_OP_TIME_ZONE, Period, PeriodError
from coopcis.core.units import wh_to_kwh
from coopcis.core.usage.profile import (
    Bucket,
    DayUsage,
    UsageFacts,
    daily_usage,
    local_buckets,
    usage_facts,
)

MONTHLY, DAILY, HOURLY, QUARTER_HOURLY = "monthly", "daily", "hourly", "15min"
VIEWS = (MONTHLY, DAILY, HOURLY, QUARTER_HOURLY)
INTERVAL_VIEWS = (DAILY, HOURLY, QUARTER_HOURLY)


@dataclass(frozen=True, slots=True)
class MonthRow:
    """One of the 13 months: kWh, what it cost, its days and kWh per day."""

    period: str
    energy_kwh: Decimal | None
    amount: Decimal | None
    days: int | None

    @property
    def kwh_per_day(self) -> Decimal | None:
        """Shown to 0.1 kWh, half up (a fact for comparing months, never billed)."""
        if self.energy_kwh is None or not self.days:
            return None
        return (self.energy_kwh / self.days).quantize(Decimal("0.1"))


@dataclass
class PointUsageView:
    """A service point's usage for the page (``view`` one of ``VIEWS``)."""

    code: str
    tariff_code: str
    months: list[MonthRow]
    meters: list[IntervalMeter]
    view: str = MONTHLY
    month: str = ""
    interval_months: list[str] = field(default_factory=list)
    days: list[DayUsage] = field(default_factory=list)
    buckets: list[Bucket] = field(default_factory=list)
    bucket_minutes: int = 60
    facts: UsageFacts | None = None

    @property
    def has_intervals(self) -> bool:
        return bool(self.meters)

    @property
    def first_at(self) -> datetime | None:
        """Local midnight starting the month shown (interval views)."""
        period = parse_month(self.month)
        return None if period is None else local_midnight(period.start)

    @property
    def end_at(self) -> datetime | None:
        period = parse_month(self.month)
        return None if period is None else local_midnight(period.end)

    @property
    def daily_points(self) -> list[tuple[str, Decimal | None]]:
        return [(day.day.isoformat(), day.energy_kwh) for day in self.days]

    @property
    def energy_points(self) -> list[tuple[str, Decimal | None]]:
        return [(row.period, row.energy_kwh) for row in self.months]

    @property
    def cost_points(self) -> list[tuple[str, Decimal | None]]:
        return [(row.period, row.amount) for row in self.months]


def _days(month: UsageMonth) -> int | None:
    if month.bill is not None:
        return (month.bill.period_end - month.bill.period_start).days
    if month.spans:
        return sum((span.current_on - span.previous_on).days for span in month.spans)
    return None


def month_rows(point: PointUsage) -> list[MonthRow]:
    return [
        MonthRow(
            period=month.period,
            energy_kwh=None if month.energy_wh is None else wh_to_kwh(month.energy_wh),
            amount=month.bill.total_amount if month.bill is not None else None,
            days=_days(month),
        )
        for month in point.months
    ]


def latest_interval_month(meters: list[IntervalMeter]) -> str | None:
    """The local month of the newest stored interval of these meters (one query)."""
    if not meters:
        return None
    newest = IntervalBlock.objects.filter(
        meter_id__in=[meter.meter_id for meter in meters], channel=Channel.DELIVERED
    ).aggregate(newest=Max("start_at"))["newest"]
    if newest is None:
        return None
    local = newest.astimezone(CO_OP_TIME_ZONE)
    return f"{local.year:04d}-{local.month:02d}"


def parse_month(text: str | None) -> Period | None:
    """A ``YYYY-MM`` query value, or None when absent or not a month."""
    if not text:
        return None
    try:
        return Period.parse_month(text)
    except (PeriodError, ValueError):
        return None


def usage_view(
    account: Account, *, view: str = MONTHLY, month: str | None = None
) -> list[PointUsageView]:
    """Each service point of the account, with ``view`` filled in for ``month`` (the
    latest month with interval data when not given or not a month)."""
    if view not in VIEWS:
        view = MONTHLY
    points = []
    for point in account_usage(account):
        meters = interval_meters(point.service_point.pk)
        shown = PointUsageView(
            point.service_point.code, point.tariff_code, month_rows(point), meters
        )
        if meters and view in INTERVAL_VIEWS:
            _fill_interval_view(shown, view, month)
        points.append(shown)
    return points


def _fill_interval_view(shown: PointUsageView, view: str, month: str | None) -> None:
    latest = latest_interval_month(shown.meters)
    if latest is None:
        return
    period = parse_month(month) or Period.parse_month(latest)
    shown.view = view
    shown.month = period.start.strftime("%Y-%m")
    shown.interval_months = _month_choices(shown.meters, latest)
    values = intervals(shown.meters, start_on=period.start, end_on=period.end)
    readings = [(value.start_at, value.minutes, value.energy_wh) for value in values]
    shown.days = daily_usage(readings, zone=CO_OP_TIME_ZONE)
    shown.facts = usage_facts(shown.days)
    if view == HOURLY:
        shown.buckets = local_buckets(readings, minutes=60, zone=CO_OP_TIME_ZONE)
        shown.bucket_minutes = 60
    elif view == QUARTER_HOURLY:
        minutes = min((value.minutes for value in values), default=15)
        shown.buckets = local_buckets(readings, minutes=max(minutes, 15), zone=CO_OP_TIME_ZONE)
        shown.bucket_minutes = max(minutes, 15)


def _month_choices(meters: list[IntervalMeter], latest: str) -> list[str]:
    """Up to 13 months ending with the latest with intervals, newest first, none before
    the first interval meter was installed."""
    first = min(meter.installed_on for meter in meters)
    first_label = f"{first.year:04d}-{first.month:02d}"
    labels = [shift_month(latest, -offset) for offset in range(13)]
    return [label for label in labels if label >= first_label]
