"""Net-metered members to bill: register reads or intervals on both channels of a net meter."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from coopcis.apps.billing.models import BillingCycle, LocationTax, RiderFactor
from coopcis.apps.metering.models import IntervalBlock, RegisterRead
from coopcis.apps.netmetering.models import AvoidedCostRate
from tests.factories import (
    AccountFactory,
    MeterFactory,
    MeterInstallationFactory,
    PremiseFactory,
    ServiceAgreementFactory,
    ServicePointFactory,
)
from tests.integration.small_coop import midnight

PCA, DCA, GRT = Decimal("0.004210"), Decimal("0.000850"), Decimal("0.068125")
AVOIDED_COST = Decimal("0.030000")


def billing_setup(*months: str) -> None:
    """Cycle 1 reads on the 1st (bill 9 days later); factors for the months; the avoided cost."""
    BillingCycle.objects.create(number=1, read_day=1, bill_lag_days=9)
    for month in months:
        RiderFactor.objects.create(month=month, code="pca", per_kwh=PCA, source="test filing")
        RiderFactor.objects.create(month=month, code="dca", per_kwh=DCA, source="test filing")
    LocationTax.objects.create(
        county="Otero", name="Gross receipts", rate=GRT, effective_on=date(2026, 1, 1), source="t"
    )
    AvoidedCostRate.objects.create(
        effective_on=date(2026, 1, 1), rate_per_kwh=AVOIDED_COST, source="test PRC filing"
    )


def net_member(tariff: str = "ocec-res"):
    point = ServicePointFactory(premise=PremiseFactory(county="Otero"))
    account = AccountFactory(rate_class="RESIDENTIAL")
    ServiceAgreementFactory(
        account=account, service_point=point, tariff_code=tariff, start_on=date(2024, 1, 1)
    )
    meter = MeterFactory(kind="NET_METER", interval_minutes=15)
    MeterInstallationFactory(meter=meter, service_point=point, installed_on=date(2024, 1, 1))
    return account, point, meter


def reads(meter, channel: str, *values: tuple[date, int]) -> None:
    for read_on, register_kwh in values:
        RegisterRead.objects.create(
            meter=meter, channel=channel, read_on=read_on, register_wh=register_kwh * 1000
        )


def interval_blocks(meter, channel: str, start: date, end: date, wh_of) -> int:
    """15-minute blocks per UTC day of ``channel`` from local midnight ``start`` to ``end``."""
    first, last = midnight(start), midnight(end)
    count = int((last - first).total_seconds()) // 900
    moments = [first + timedelta(minutes=15 * i) for i in range(count)]
    by_day: dict[date, list[tuple[datetime, int]]] = {}
    for moment in moments:
        by_day.setdefault(moment.astimezone(UTC).date(), []).append((moment, wh_of(moment)))
    for values in by_day.values():
        IntervalBlock.objects.create(
            meter=meter,
            channel=channel,
            start_at=values[0][0],
            interval_minutes=15,
            count=len(values),
            values_wh=IntervalBlock.pack([value for _, value in values]),
        )
    return sum(wh_of(moment) for moment in moments)
