"""period_usage: what the billing engine gets for a period."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from coopcis.apps.metering.importers import import_reads
from coopcis.apps.metering.models import RegisterRead
from coopcis.apps.metering.usage import MissingReadError, period_usage
from coopcis.core.periods import CO_OP_TIME_ZONE
from tests.integration.metering.conftest import KWH, install

pytestmark = pytest.mark.django_db


def test_multiplier_rollover_demand_and_power_factor():
    meter = install("CT40", dials=5, multiplier=40)
    RegisterRead.objects.create(meter=meter, read_on=date(2025, 1, 6), register_wh=99_900 * KWH)
    RegisterRead.objects.create(
        meter=meter,
        read_on=date(2025, 2, 4),
        register_wh=150 * KWH,
        demand_kw="61.200",
        power_factor="0.8800",
    )
    # billing asks for [Jan 5, Feb 5): the reads a day off each boundary define the period
    usage = period_usage(meter=meter, start_on=date(2025, 1, 5), end_on=date(2025, 2, 5))
    assert (usage.start_on, usage.end_on) == (date(2025, 1, 6), date(2025, 2, 4))
    assert usage.rolled_over and usage.energy_wh == 250 * 40 * KWH
    assert (usage.previous_register_wh, usage.current_register_wh) == (99_900 * KWH, 150 * KWH)
    assert str(usage.demand_kw) == "61.200" and str(usage.power_factor) == "0.8800"
    assert not usage.is_estimated and usage.intervals == ()


def test_missing_read_names_the_meter_and_dates():
    meter = install("R100")
    RegisterRead.objects.create(meter=meter, read_on=date(2025, 1, 5), register_wh=0)
    RegisterRead.objects.create(meter=meter, read_on=date(2025, 2, 10), register_wh=KWH)
    with pytest.raises(MissingReadError) as error:
        period_usage(meter=meter, start_on=date(2025, 1, 5), end_on=date(2025, 2, 5))
    assert (
        str(error.value)
        == "meter R100, period 2025-01-05 to 2025-02-05: no DELIVERED read within 3 days of 2025-02-05"
    )
    assert (
        period_usage(
            meter=meter, start_on=date(2025, 1, 5), end_on=date(2025, 2, 5), tolerance_days=5
        ).energy_wh
        == KWH
    )


def _local_day_rows(day: date) -> str:
    """Every quarter hour of a local day as CSV rows, written in local time with its offset."""
    start = datetime.combine(day, time(0), tzinfo=CO_OP_TIME_ZONE).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=CO_OP_TIME_ZONE).astimezone(UTC)
    rows, at = [], start
    while at < end:
        rows.append(f"A100,{at.astimezone(CO_OP_TIME_ZONE).isoformat()},0.1\n")
        at += timedelta(minutes=15)
    return "".join(rows)


def test_interval_meter_over_the_autumn_dst_day(write):
    meter = install("A100", kind="AMI_INTERVAL")
    # 2025-11-02 in Denver: 25 hours; 01:00-02:00 happens at -06:00 and again at -07:00
    csv = "meter_serial,start,kwh\n" + _local_day_rows(date(2025, 11, 2))
    assert "T01:00:00-06:00" in csv and "T01:00:00-07:00" in csv
    report = import_reads(path=write("fall.csv", csv))
    assert (report.rows_stored, report.skipped) == (100, [])
    # no register reads: billed on the intervals, which cover the day without a gap
    usage = period_usage(meter=meter, start_on=date(2025, 11, 2), end_on=date(2025, 11, 3))
    assert len(usage.intervals) == 100 and usage.energy_wh == 10 * KWH
    assert usage.intervals[0].start_at == datetime(2025, 11, 2, 6, tzinfo=UTC)
    assert usage.intervals[-1].end_at == datetime(2025, 11, 3, 7, tzinfo=UTC)


def test_interval_meter_over_the_spring_dst_day_with_register_reads(write):
    meter = install("A100", kind="AMI_INTERVAL")
    # 2025-03-09 in Denver: 23 hours; 02:00-03:00 does not exist
    csv = "meter_serial,start,kwh\n" + _local_day_rows(date(2025, 3, 9))
    assert import_reads(path=write("spring.csv", csv)).rows_stored == 92
    RegisterRead.objects.create(meter=meter, read_on=date(2025, 3, 9), register_wh=1_000 * KWH)
    RegisterRead.objects.create(meter=meter, read_on=date(2025, 3, 10), register_wh=1_009_200)
    usage = period_usage(meter=meter, start_on=date(2025, 3, 9), end_on=date(2025, 3, 10))
    assert usage.energy_wh == 9_200 == sum(i.energy_wh for i in usage.intervals)
    assert len(usage.intervals) == 92


def test_interval_meter_with_a_gap_and_no_reads_is_refused(write):
    meter = install("A100", kind="AMI_INTERVAL")
    import_reads(
        path=write("part.csv", "meter_serial,start,kwh\nA100,2025-06-02T00:00:00-06:00,1\n")
    )
    with pytest.raises(
        MissingReadError,
        match=r"A100, period 2025-06-02 to 2025-06-03: .*1 gap\(s\), the first from 2025-06-02T00:15:00-06:00",
    ):
        period_usage(meter=meter, start_on=date(2025, 6, 2), end_on=date(2025, 6, 3))
