"""VEE rules on plain readings: rollover, negative, zero, high/low use, interval gaps."""

from datetime import UTC, date, datetime, timedelta

from coopcis.core.metering.history import UsageRecord
from coopcis.core.metering.vee import (
    FindingKind,
    Reading,
    RegisterCheck,
    Thresholds,
    interval_gap_findings,
    interval_gaps,
    validate_register_reads,
)
from coopcis.core.periods import CO_OP_TIME_ZONE, InstantRange

KWH = 1000


def history_at(kwh_per_day: int, *, start=date(2024, 1, 1), months=14):
    records = []
    for index in range(months):
        begin = start + timedelta(days=30 * index)
        records.append(UsageRecord(begin, begin + timedelta(days=30), kwh_per_day * 30 * KWH))
    return records


def check(previous_kwh, current_kwh, *, history=(), dials=5, active=True, previous_estimate=False):
    return RegisterCheck(
        meter_serial="M1",
        previous=Reading(date(2025, 2, 24), previous_kwh * KWH, previous_estimate),
        current=Reading(date(2025, 3, 26), current_kwh * KWH),
        dials=dials,
        account_active=active,
        history=history,
    )


def kinds(verdict, *, review=True):
    return [f.kind for f in verdict.findings if f.needs_review == review]


def test_normal_read_passes():
    verdict = validate_register_reads(check(10_000, 10_600, history=history_at(20)))
    assert verdict.advance.energy_wh == 600 * KWH
    assert verdict.findings == ()


def test_plausible_rollover_is_computed_and_not_queued():
    verdict = validate_register_reads(check(99_700, 300, history=history_at(20)))
    assert verdict.advance.energy_wh == 600 * KWH
    assert kinds(verdict, review=False) == [FindingKind.ROLLOVER]
    assert not verdict.needs_review


def test_implausible_rollover_is_queued():
    # 9,600 kWh through zero against 20 kWh a day: 16x last year
    verdict = validate_register_reads(check(91_000, 600, history=history_at(20)))
    assert kinds(verdict) == [FindingKind.ROLLOVER]
    assert "implausible" in verdict.findings[0].detail


def test_register_went_down():
    verdict = validate_register_reads(check(10_000, 9_990, history=history_at(20)))
    assert kinds(verdict) == [FindingKind.NEGATIVE_CONSUMPTION]
    assert "M1" in verdict.findings[0].detail


def test_zero_use_only_matters_on_an_active_account():
    assert kinds(validate_register_reads(check(10_000, 10_000))) == [FindingKind.ZERO_USE]
    assert validate_register_reads(check(10_000, 10_000, active=False)).findings == ()


def test_high_and_low_use_against_history():
    assert kinds(validate_register_reads(check(10_000, 11_900, history=history_at(20)))) == [
        FindingKind.HIGH_USE
    ]
    assert kinds(validate_register_reads(check(10_000, 10_150, history=history_at(20)))) == [
        FindingKind.LOW_USE
    ]
    # just inside the limits: 3x and 1/3 of 600 kWh
    assert validate_register_reads(check(10_000, 11_800, history=history_at(20))).findings == ()
    assert validate_register_reads(check(10_000, 10_200, history=history_at(20))).findings == ()


def test_thresholds_are_parameters():
    loose = Thresholds(high_ratio=10)
    assert (
        validate_register_reads(
            check(10_000, 11_900, history=history_at(20)), thresholds=loose
        ).findings
        == ()
    )


def test_seasonal_use_last_year_explains_is_not_high():
    # given last March at 60 kWh/day but the recent months at 15 kWh/day
    history = [UsageRecord(date(2024, 2, 20), date(2024, 3, 30), 38 * 60 * KWH)]
    history += [UsageRecord(date(2024, 11, 26), date(2025, 2, 24), 90 * 15 * KWH)]
    # when March reads 1,800 kWh (60/day): 4x recent, 1x last year
    verdict = validate_register_reads(check(10_000, 11_800, history=history))
    # then
    assert verdict.findings == ()


def test_no_history_no_use_judgement():
    assert validate_register_reads(check(10_000, 19_000)).findings == ()


def test_true_up_is_reported_not_queued():
    verdict = validate_register_reads(
        check(10_700, 10_600, history=history_at(20), previous_estimate=True)
    )
    assert verdict.advance.energy_wh == -100 * KWH
    assert kinds(verdict, review=False) == [FindingKind.TRUE_UP]
    assert not verdict.needs_review


def _quarter_hours(start_at, count):
    return [
        (start_at + timedelta(minutes=15 * i), start_at + timedelta(minutes=15 * (i + 1)))
        for i in range(count)
    ]


def test_interval_gaps_named_in_local_time():
    day = InstantRange(datetime(2025, 6, 2, 6, tzinfo=UTC), datetime(2025, 6, 3, 6, tzinfo=UTC))
    spans = _quarter_hours(day.start_at, 96)
    del spans[40:44]  # an hour missing from 16:00 UTC = 10:00 MDT
    gaps = interval_gaps(spans, day)
    assert gaps == [
        InstantRange(datetime(2025, 6, 2, 16, tzinfo=UTC), datetime(2025, 6, 2, 17, tzinfo=UTC))
    ]
    (finding,) = interval_gap_findings("A1", spans, day)
    assert finding.kind == FindingKind.INTERVAL_GAP
    assert "2025-06-02T10:00:00-06:00" in finding.detail and "(60 min)" in finding.detail


def test_dst_days_have_no_gap():
    for day in (date(2025, 3, 9), date(2025, 11, 2)):
        start = datetime.combine(day, datetime.min.time(), tzinfo=CO_OP_TIME_ZONE)
        end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=CO_OP_TIME_ZONE)
        hours = int((end.astimezone(UTC) - start.astimezone(UTC)).total_seconds()) // 3600
        spans = _quarter_hours(start.astimezone(UTC), hours * 4)
        assert hours in (23, 25)
        assert interval_gaps(spans, InstantRange(start, end)) == []
        # the repeated autumn hour is two hours: drop one and there is a gap
        if hours == 25:
            assert len(interval_gaps(spans[:4] + spans[8:], InstantRange(start, end))) == 1
