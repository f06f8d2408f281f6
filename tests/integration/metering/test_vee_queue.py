"""VEE over a month: the exception queue, estimates stored, staff decisions, true-up."""

from datetime import date

import pytest

from coopcis.apps.metering.importers import import_reads
from coopcis.apps.metering.models import ExceptionStatus, ReadException, ReadKind, RegisterRead
from coopcis.apps.metering.usage import ReadUnderReview, period_usage
from coopcis.apps.metering.vee import resolve_exception, validate_period
from coopcis.core.periods import Period
from tests.integration.metering.conftest import KWH, install, steady_reads

pytestmark = pytest.mark.django_db
MARCH = Period.month(2025, 3)


@pytest.fixture
def meter():
    # 20 kWh a day, read on the 5th from January 2024 to February 2025
    meter = install("R100")
    steady_reads(meter, first=date(2024, 1, 5), count=14, kwh_per_day=20)
    return meter


def latest_register(meter) -> int:
    return meter.register_reads.order_by("-read_on").first().register_wh


def read(meter, read_on, register_wh):
    return RegisterRead.objects.create(meter=meter, read_on=read_on, register_wh=register_wh)


def test_normal_read_passes_and_files_nothing(meter):
    read(meter, date(2025, 3, 5), latest_register(meter) + 28 * 20 * KWH)
    summary = validate_period(month=MARCH)
    assert (summary.meters_checked, summary.reads_passed, summary.filed) == (1, 1, [])


def test_high_use_is_queued_and_held_from_billing_until_accepted(meter):
    high = read(meter, date(2025, 3, 5), latest_register(meter) + 28 * 70 * KWH)
    # when
    summary = validate_period(month=MARCH)
    # then
    (exception,) = summary.filed
    assert (exception.kind, exception.status, exception.read_id) == ("HIGH_USE", "OPEN", high.pk)
    assert "1,960.0 kWh in 28 days" in exception.detail
    with pytest.raises(ReadUnderReview, match="R100: the read on 2025-03-05 is under review"):
        period_usage(meter=meter, start_on=date(2025, 2, 5), end_on=date(2025, 3, 5))
    assert validate_period(month=MARCH).already_filed == 1  # a re-run files nothing twice
    resolve_exception(exception=exception, status=ExceptionStatus.ACCEPTED, note="new hot tub")
    usage = period_usage(meter=meter, start_on=date(2025, 2, 5), end_on=date(2025, 3, 5))
    assert usage.energy_wh == 1_960 * KWH and not usage.is_estimated


def test_rejected_negative_read_is_billed_as_an_estimate(meter):
    before = latest_register(meter)
    bad = read(meter, date(2025, 3, 5), before - 50 * KWH)
    (exception,) = validate_period(month=MARCH).filed
    assert exception.kind == "NEGATIVE_CONSUMPTION"
    # when
    resolve_exception(exception=exception, status=ExceptionStatus.REJECTED, note="misread")
    # then the bad value is kept on the exception and the read is the estimate
    exception.refresh_from_db()
    bad.refresh_from_db()
    assert exception.rejected_register_wh == before - 50 * KWH
    assert (bad.kind, bad.source, bad.estimate_method) == (
        "ESTIMATED",
        "ESTIMATE",
        "SAME_PERIOD_LAST_YEAR",
    )
    usage = period_usage(meter=meter, start_on=date(2025, 2, 5), end_on=date(2025, 3, 5))
    assert usage.is_estimated and usage.energy_wh == 28 * 20 * KWH


def test_zero_use_on_an_active_account(meter):
    read(meter, date(2025, 3, 5), latest_register(meter))
    assert [e.kind for e in validate_period(month=MARCH).filed] == ["ZERO_USE"]


def test_missing_read_estimated_then_trued_up_by_the_next_actual_read(meter):
    february = latest_register(meter)
    # when no read arrives in March
    summary = validate_period(month=MARCH)
    # then an estimate is stored where the read was due, and queued as MISSING_READ
    (estimate,) = summary.estimates
    assert (estimate.read_on, estimate.kind, estimate.source) == (
        date(2025, 3, 5),
        "ESTIMATED",
        "ESTIMATE",
    )
    assert estimate.estimate_method == "SAME_PERIOD_LAST_YEAR"
    assert estimate.register_wh == february + 28 * 20 * KWH
    (missing,) = summary.filed
    assert missing.kind == "MISSING_READ" and "SAME_PERIOD_LAST_YEAR" in missing.detail
    estimated_bill = period_usage(meter=meter, start_on=date(2025, 2, 5), end_on=date(2025, 3, 5))
    assert estimated_bill.is_estimated and estimated_bill.estimate_method == "SAME_PERIOD_LAST_YEAR"
    assert validate_period(month=MARCH).estimates == []  # not estimated twice
    # when the April read shows less than the estimate assumed (9 kWh a day over both months)
    actual = february + 59 * 9 * KWH
    read(meter, date(2025, 4, 5), actual)
    april = period_usage(meter=meter, start_on=date(2025, 3, 5), end_on=date(2025, 4, 5))
    # then April is the actual register minus the estimate: a credit, and both bills sum to the meter
    assert april.trued_up and not april.is_estimated
    assert april.previous_register_wh == estimate.register_wh
    assert april.energy_wh == actual - estimate.register_wh
    assert estimated_bill.energy_wh + april.energy_wh == actual - february
    assert april.energy_wh == (531 - 560) * KWH  # a credit


def test_late_actual_read_replaces_the_estimate(meter, write):
    validate_period(month=MARCH)
    actual = latest_register(meter) - 28 * 20 * KWH + 25 * 28 * KWH
    report = import_reads(
        path=write(
            "late.csv", f"meter_serial,read_on,register_kwh\nR100,2025-03-05,{actual / KWH}\n"
        )
    )
    assert (report.rows_stored, report.estimates_replaced) == (1, 1)
    march = RegisterRead.objects.get(meter=meter, read_on=date(2025, 3, 5))
    assert (march.kind, march.register_wh) == (ReadKind.ACTUAL, actual)
    assert ReadException.objects.get().status == "REPLACED"


def test_no_history_uses_the_class_average():
    # given an established neighbour on the same rate class at 15 kWh/day
    neighbour = install("R900")
    steady_reads(neighbour, first=date(2024, 11, 5), count=5, kwh_per_day=15)
    newcomer = install("R901", on=date(2025, 2, 5))
    read(newcomer, date(2025, 2, 5), 0)
    # when March's read is missing
    summary = validate_period(month=MARCH)
    # then
    (estimate,) = [r for r in summary.estimates if r.meter_id == newcomer.pk]
    assert estimate.estimate_method == "CLASS_AVERAGE"
    assert estimate.register_wh == 28 * 15 * KWH


def test_interval_gap_queued_for_an_interval_meter(write):
    install("A100", kind="AMI_INTERVAL", on=date(2025, 3, 1), interval_minutes=60)
    rows = "".join(
        f"A100,2025-03-{day:02d}T{h:02d}:00:00-07:00,1\n" for day in range(1, 8) for h in range(24)
    )
    write_rows = "meter_serial,start,kwh\n" + rows.replace("A100,2025-03-03T12:00:00-07:00,1\n", "")
    import_reads(path=write("march.csv", write_rows))
    (gap,) = [e for e in validate_period(month=MARCH).filed if e.kind == "INTERVAL_GAP"]
    lines = gap.detail.splitlines()
    assert (
        lines[0]
        == "meter A100: no interval data from 2025-03-03T12:00:00-07:00 to 2025-03-03T13:00:00-07:00 (60 min)"
    )
    assert lines[1].startswith(
        "meter A100: no interval data from 2025-03-08T00:00:00-07:00 to 2025-04-01T00:00:00-06:00"
    )
