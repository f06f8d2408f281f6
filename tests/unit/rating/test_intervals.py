"""Interval data: validation, rolling 15-minute NCP, TOU split, DST days."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest

from coopcis.core.periods import InstantRange, Period
from coopcis.core.rating.intervals import (
    Interval,
    IntervalDataError,
    determinants_from_intervals,
    ncp_demand_kw,
    validate_intervals,
)

from .helpers import ON_PEAK_EVERY_DAY, tariff_of

DENVER = ZoneInfo("America/Denver")
FLAT = tariff_of({"kind": "flat_energy", "rate_per_kwh": D("0.1")})
TOU = tariff_of(
    {
        "kind": "tou_energy",
        "rates": [
            {"period": "on_peak", "rate_per_kwh": D("0.2650")},
            {"period": "off_peak", "rate_per_kwh": D("0.0900")},
        ],
    },
    time_of_use=ON_PEAK_EVERY_DAY,
)


def series(start_at, minutes, energies):
    """Consecutive intervals from ``start_at`` (stepping in UTC, so DST-safe)."""
    first = start_at.astimezone(UTC)
    return [
        Interval(first + timedelta(minutes=minutes * index), minutes, wh)
        for index, wh in enumerate(energies)
    ]


def local_midnight(year, month, day):
    return datetime(year, month, day, tzinfo=DENVER)


def test_interval_kw_is_kwh_times_60_over_minutes():
    start = local_midnight(2020, 7, 1)
    assert Interval(start, 5, 1000).kw == D(12)
    assert Interval(start, 15, 1000).kw == D(4)
    assert Interval(start, 60, 1000).kw == D(1)


def test_ncp_with_5_minute_data_is_the_best_three_consecutive_intervals():
    # windows: (100+400+400)=900, (400+400+100)=900, (400+100+900)=1400, (100+900+0)=1000
    intervals = series(local_midnight(2020, 7, 1), 5, [100, 400, 400, 100, 900, 0])
    # 1,400 Wh in 15 minutes = 1.4 kWh x 4 = 5.6 kW (the single 900 Wh interval alone is 10.8 kW)
    assert ncp_demand_kw(intervals) == D("5.6")


@pytest.mark.parametrize(("minutes", "expected"), [(15, D("3.6")), (60, D("0.9"))])
def test_ncp_with_15_or_60_minute_data_is_the_largest_single_interval(minutes, expected):
    intervals = series(local_midnight(2020, 7, 1), minutes, [100, 900, 400])
    assert ncp_demand_kw(intervals) == expected


def test_ncp_needs_fifteen_minutes_of_data():
    with pytest.raises(IntervalDataError, match="less than 15 minutes"):
        ncp_demand_kw(series(local_midnight(2020, 7, 1), 5, [100, 200]))


def test_spring_forward_day_has_23_hours_and_no_gap():
    start = local_midnight(2020, 3, 8)
    intervals = series(start, 60, [1000] * 23)
    found = determinants_from_intervals(intervals=intervals, tariff=FLAT)
    assert found.hours == D(23)
    assert found.period == Period(start.date(), start.date() + timedelta(days=1))
    assert found.energy_kwh == D(23)
    assert intervals[-1].end_at.astimezone(DENVER) == local_midnight(2020, 3, 9)


def test_fall_back_day_has_25_hours_and_the_repeated_hour_is_not_a_duplicate():
    start = local_midnight(2020, 11, 1)
    intervals = series(start, 15, [250] * 100)
    found = determinants_from_intervals(
        intervals=intervals,
        tariff=TOU,
        expected=InstantRange(start, local_midnight(2020, 11, 2)),
    )
    assert found.hours == D(25)
    # 15:00-21:00 MST is 24 on-peak quarter hours of 250 Wh
    assert found.energy_kwh_by_tou == {"on_peak": D(6), "off_peak": D(19)}


def test_fall_back_repeated_hour_written_with_local_offsets_is_accepted():
    # 01:00-01:45 MDT (-06:00) then 01:00-01:45 MST (-07:00)
    mdt = [datetime.fromisoformat(f"2020-11-01T01:{m:02}:00-06:00") for m in (0, 15, 30, 45)]
    mst = [datetime.fromisoformat(f"2020-11-01T01:{m:02}:00-07:00") for m in (0, 15, 30, 45)]
    intervals = [Interval(start, 15, 100) for start in mdt + mst]
    assert len(validate_intervals(intervals)) == 8


def test_same_zone_fold_datetimes_are_distinct_instants():
    first = datetime(2020, 11, 1, 1, 30, tzinfo=DENVER, fold=0)
    second = datetime(2020, 11, 1, 1, 30, tzinfo=DENVER, fold=1)
    intervals = [
        Interval(first, 60, 1),
        Interval(second, 60, 1),
        Interval(datetime(2020, 11, 1, 0, 30, tzinfo=DENVER), 60, 1),
    ]
    assert len(validate_intervals(intervals)) == 3


@pytest.mark.parametrize(
    ("local_start", "on_peak"),
    [("14:55", False), ("15:00", True), ("20:55", True), ("21:00", False)],
)
def test_each_5_minute_interval_is_classified_by_its_local_start(local_start, on_peak):
    hour, minute = map(int, local_start.split(":"))
    start = datetime(2020, 7, 1, hour, minute, tzinfo=DENVER)
    intervals = [*series(start, 5, [0, 0, 0]), Interval(start - timedelta(minutes=5), 5, 0)]
    intervals[0] = Interval(intervals[0].start_at, 5, 1000)
    found = determinants_from_intervals(intervals=intervals, tariff=TOU)
    expected = (
        {"on_peak": D(1), "off_peak": D(0)} if on_peak else {"on_peak": D(0), "off_peak": D(1)}
    )
    assert found.energy_kwh_by_tou == expected


def test_tou_demand_counts_only_windows_wholly_inside_a_period():
    # 5-minute data 14:45-15:15 local: 14:55 and 15:00 are heavy but never in one window
    start = datetime(2020, 7, 1, 14, 45, tzinfo=DENVER)
    intervals = series(start, 5, [0, 0, 600, 600, 0, 0])
    found = determinants_from_intervals(intervals=intervals, tariff=TOU)
    # window 14:50-15:05 (1,200 Wh) straddles; off-peak 14:45-15:00 = 600 Wh = 2.4 kW
    assert found.demand_kw == D("4.8")
    assert found.demand_kw_by_tou == {"off_peak": D("2.4"), "on_peak": D("2.4")}


def problems_of(intervals, **kwargs):
    with pytest.raises(IntervalDataError) as caught:
        validate_intervals(intervals, **kwargs)
    return caught.value


def test_gap_is_reported_with_its_timestamp():
    intervals = series(local_midnight(2020, 7, 1), 15, [1, 1, 1, 1])
    del intervals[2]
    error = problems_of(intervals)
    assert [problem.kind for problem in error.problems] == ["gap"]
    assert "gap at 2020-07-01T00:45:00-06:00" in str(error)
    assert "15 minutes missing" in str(error)


def test_duplicate_and_overlap_are_each_reported():
    intervals = series(local_midnight(2020, 7, 1), 15, [1, 1, 1])
    intervals.append(Interval(intervals[1].start_at, 15, 1))
    intervals.append(Interval(intervals[2].start_at + timedelta(minutes=5), 15, 1))
    error = problems_of(intervals)
    kinds = sorted(problem.kind for problem in error.problems)
    assert "duplicate" in kinds and "overlap" in kinds
    assert "duplicate at 2020-07-01T00:15:00-06:00" in str(error)
    assert "overlap at 2020-07-01T00:35:00-06:00" in str(error)


def test_coverage_of_the_expected_period_is_checked():
    start = local_midnight(2020, 7, 1)
    intervals = series(start + timedelta(hours=1), 60, [1] * 22)
    error = problems_of(intervals, expected=InstantRange(start, local_midnight(2020, 7, 2)))
    assert len(error.problems) == 2
    assert "no data from the period start" in str(error)
    assert "no data to the period end" in str(error)


def test_negative_interval_refused_on_a_delivered_channel():
    intervals = series(local_midnight(2020, 7, 1), 15, [5, -3, 5])
    with pytest.raises(IntervalDataError, match="negative at 2020-07-01T00:15:00-06:00"):
        determinants_from_intervals(intervals=intervals, tariff=FLAT)
    with pytest.raises(IntervalDataError, match="negative"):
        determinants_from_intervals(intervals=intervals, tariff=FLAT, channel="received")


def test_negative_interval_accepted_on_a_net_metered_received_channel():
    intervals = series(local_midnight(2020, 7, 1), 15, [5, -3, 5])
    found = determinants_from_intervals(
        intervals=intervals, tariff=FLAT, channel="received", net_metered=True
    )
    assert found.energy_kwh == D("0.007")


def test_mixed_interval_lengths_are_reported():
    start = local_midnight(2020, 7, 1)
    intervals = [Interval(start, 15, 1), Interval(start + timedelta(minutes=15), 60, 1)]
    assert problems_of(intervals).problems[0].kind == "length"


def test_empty_series_is_refused():
    assert problems_of([]).problems[0].kind == "empty"


@pytest.mark.parametrize("minutes", [0, 7, 10, 120])
def test_unsupported_interval_lengths_are_refused(minutes):
    with pytest.raises(ValueError, match="interval length"):
        Interval(local_midnight(2020, 7, 1), minutes, 1)


def test_naive_start_and_float_energy_are_refused():
    with pytest.raises(ValueError, match="time zone"):
        Interval(datetime(2020, 7, 1), 15, 1)
    with pytest.raises(TypeError, match="int"):
        Interval(local_midnight(2020, 7, 1), 15, 1.5)


def test_month_of_5_minute_data_gives_period_hours_energy_and_ncp():
    start = local_midnight(2020, 3, 1)
    count = (743 * 60) // 5  # March 2020 has 743 hours (spring forward on the 8th)
    energies = [100] * count
    energies[5000:5003] = [500, 500, 500]
    found = determinants_from_intervals(
        intervals=series(start, 5, energies),
        tariff=FLAT,
        expected=InstantRange(start, local_midnight(2020, 4, 1)),
    )
    assert found.period == Period.month(2020, 3)
    assert found.hours == D(743)
    assert found.energy_kwh == D(count * 100 + 1200) / 1000
    assert found.demand_kw == D(6)  # 1,500 Wh in 15 minutes
