"""A small co-op to bill: register, interval, lighting and Rate 19 services with reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import numpy as np

from coopcis.apps.billing.models import BillingCycle, LocationTax, RiderFactor
from coopcis.apps.metering.models import IntervalBlock, RegisterRead
from coopcis.core.periods import CO_OP_TIME_ZONE
from tests.factories import (
    AccountFactory,
    MeterFactory,
    MeterInstallationFactory,
    PremiseFactory,
    ServiceAgreementFactory,
    ServicePointFactory,
)
from tests.shared_build import shared_fixture

PCA, DCA, GRT = Decimal("0.004210"), Decimal("0.000850"), Decimal("0.068125")


def midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=CO_OP_TIME_ZONE)


def reads(meter, *values: tuple[date, int], kind: str = "ACTUAL", **extra) -> None:
    for read_on, register_kwh in values:
        RegisterRead.objects.create(
            meter=meter, read_on=read_on, register_wh=register_kwh * 1000, kind=kind, **extra
        )


def interval_blocks(meter, start: date, end: date, wh_of) -> int:
    """15-minute blocks per UTC day from local midnight ``start`` to ``end``; returns total Wh."""
    first, last = midnight(start), midnight(end)
    count = int((last - first).total_seconds()) // 900
    starts = [first + timedelta(minutes=15 * i) for i in range(count)]
    values = [wh_of(moment) for moment in starts]
    by_day: dict[date, list[tuple[datetime, int]]] = {}
    for moment, value in zip(starts, values, strict=True):
        by_day.setdefault(moment.astimezone(UTC).date(), []).append((moment, value))
    for day_values in by_day.values():
        IntervalBlock.objects.create(
            meter=meter,
            start_at=day_values[0][0],
            interval_minutes=15,
            count=len(day_values),
            values_wh=IntervalBlock.pack([value for _, value in day_values]),
        )
    return int(np.sum(values))


@dataclass
class SmallCoop:
    home: object
    tou_home: object
    lights: object
    mill: object
    no_read: object


@shared_fixture
def small_coop() -> SmallCoop:
    """Billing month 2026-10: cycle 1 reads on 1 October, closing September (built once
    for the tests of a module that use it: ``tests.shared_build``)."""
    BillingCycle.objects.create(number=1, read_day=1, bill_lag_days=9)
    RiderFactor.objects.create(month="2026-10", code="pca", per_kwh=PCA, source="test filing")
    RiderFactor.objects.create(month="2026-10", code="dca", per_kwh=DCA, source="test filing")
    LocationTax.objects.create(
        county="Otero",
        name="Gross receipts",
        rate=GRT,
        effective_on=date(2026, 1, 1),
        source="test",
    )

    def service(tariff, kind="REGISTER", rate_class="RESIDENTIAL", **agreement):
        point = ServicePointFactory(premise=PremiseFactory(county="Otero"))
        if agreement.get("fixtures"):
            point.kind = "UNMETERED_LIGHTING"
            point.save()
        account = AccountFactory(rate_class=rate_class)
        ServiceAgreementFactory(
            account=account,
            service_point=point,
            tariff_code=tariff,
            start_on=date(2024, 1, 1),
            **agreement,
        )
        meter = None
        if point.kind == "METERED":
            meter = MeterFactory(kind=kind, interval_minutes=15 if kind != "REGISTER" else None)
            MeterInstallationFactory(
                meter=meter, service_point=point, installed_on=date(2024, 1, 1)
            )
        return account, meter

    home, home_meter = service("ocec-res")
    reads(home_meter, (date(2026, 9, 1), 10_000), (date(2026, 10, 1), 11_000))

    tou_home, tou_meter = service("ocec-res-tou", kind="AMI_INTERVAL")
    # 1 kWh every on-peak quarter hour (15:00-21:00 local), 0.25 kWh otherwise
    total = interval_blocks(
        tou_meter,
        date(2026, 9, 1),
        date(2026, 10, 1),
        lambda m: 1000 if 15 <= m.astimezone(CO_OP_TIME_ZONE).hour < 21 else 250,
    )
    reads(tou_meter, (date(2026, 9, 1), 5_000), (date(2026, 10, 1), 5_000 + total // 1000))

    lights, _ = service("ocec-light-100", rate_class="LIGHTING", fixtures=6)

    mill, mill_meter = service(
        "sec-19",
        kind="AMI_INTERVAL",
        rate_class="LARGE_COMMERCIAL",
        contract_kw=Decimal("1200"),
        loss_factor=Decimal("0.02"),
    )
    mill_total = interval_blocks(mill_meter, date(2026, 9, 1), date(2026, 10, 1), lambda m: 300_000)
    reads(
        mill_meter,
        (date(2026, 9, 1), 100_000),
        (date(2026, 10, 1), 100_000 + mill_total // 1000),
        power_factor=Decimal("0.9"),
    )

    no_read, silent_meter = service("ocec-res")
    reads(silent_meter, (date(2026, 8, 1), 500))
    return SmallCoop(home, tou_home, lights, mill, no_read)
