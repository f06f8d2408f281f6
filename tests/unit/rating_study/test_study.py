"""The vectorized rate study equals the engine, meter-month by meter-month, to the cent."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopcis.catalog.tariffs import load_tariff
from coopcis.core.periods import CO_OP_TIME_ZONE
from coopcis.core.rating.engine import rate_bill
from coopcis.core.rating.intervals import Interval, determinants_from_intervals
from coopcis.core.rating.study import (
    StudyDataError,
    group_by_meter,
    rate_study,
    study_determinants,
)

EXACT_TARIFFS = ("ocec-res", "ocec-res-tou", "ocec-gs", "ocec-gs-tou", "ocec-lp", "ocec-lp-tou")


def _local_ts(*args: int) -> int:
    return int(datetime(*args, tzinfo=CO_OP_TIME_ZONE).timestamp())


def _runs(meters: list[tuple[str, int, int, list[int]]]):
    """meters: (id, first start epoch s, minutes, Wh per interval)."""
    codes, starts, energy = [], [], []
    for code, (_, first, minutes, values) in enumerate(meters):
        codes += [code] * len(values)
        starts += [first + i * minutes * 60 for i in range(len(values))]
        energy += values
    return group_by_meter(
        meter_codes=np.array(codes),
        meter_names=[m[0] for m in meters],
        start=np.array(starts, dtype=np.int64),
        energy_wh=np.array(energy, dtype=np.int64),
    )


def _engine_totals(meters, tariff, power_factor=None):
    """Bill each meter's intervals per local month with the engine, one Interval at a time."""
    totals = {}
    for meter_id, first, minutes, values in meters:
        by_month: dict[str, list[Interval]] = {}
        for i, wh in enumerate(values):
            start_at = datetime.fromtimestamp(first + i * minutes * 60, UTC)
            month = start_at.astimezone(CO_OP_TIME_ZONE).strftime("%Y-%m")
            by_month.setdefault(month, []).append(Interval(start_at, minutes, wh))
        for month, intervals in by_month.items():
            det = determinants_from_intervals(
                intervals=intervals, tariff=tariff, power_factor=power_factor
            )
            totals[(meter_id, month)] = rate_bill(tariff=tariff, determinants=det).total
    return totals


def _study_totals(result):
    det = result.determinants
    return {
        (det.meter_ids[det.segment_meter[i]], det.months[det.segment_month[i]]): result.total(i)
        for i in range(len(det))
    }


# Starts near month ends and both DST changes of 2025 (March 9, November 2).
FIRST_STARTS = [
    _local_ts(2025, 1, 31, 20),
    _local_ts(2025, 3, 8, 0),
    _local_ts(2025, 3, 31, 22, 45),
    _local_ts(2025, 11, 1, 12),
    _local_ts(2025, 12, 31, 23),
]


@st.composite
def meter_data(draw):
    meters = []
    for index in range(draw(st.integers(1, 3))):
        minutes = draw(st.sampled_from([5, 15, 30, 60]))
        first = draw(st.sampled_from(FIRST_STARTS))
        count = draw(st.integers(3, 4 * 24 * 60 // minutes))
        if minutes == 5:  # a month with under 15 minutes of 5-minute data is refused
            months = [
                datetime.fromtimestamp(first + i * 300, UTC).astimezone(CO_OP_TIME_ZONE).month
                for i in range(count)
            ]
            tail = months.count(months[-1])
            count -= tail if tail < 3 else 0
        scale = draw(st.sampled_from([1_000, 50_000, 900_000_000]))
        seed = draw(st.integers(0, 2**32 - 1))
        values = np.random.default_rng(seed).integers(0, scale, size=count).tolist()
        meters.append((f"M{index}", first, minutes, values))
    return meters


@pytest.mark.parametrize("code", EXACT_TARIFFS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(meters=meter_data())
def test_exact_pricing_equals_the_engine(code, meters):
    # given
    tariff = load_tariff(code)
    # when
    result = rate_study(_runs(meters), tariff=tariff)
    # then
    assert result.method == "exact"
    assert _study_totals(result) == _engine_totals(meters, tariff)


@settings(max_examples=10, deadline=None)
@given(meters=meter_data())
def test_engine_fallback_equals_the_engine(meters):
    # given Rate 19: power factor and billing demand rules have no integer form here
    tariff = load_tariff("sec-19")
    # when
    result = rate_study(_runs(meters), tariff=tariff, power_factor=Decimal("0.9"))
    # then
    assert result.method == "engine"
    assert _study_totals(result) == _engine_totals(meters, tariff, Decimal("0.9"))


def test_dst_months_split_at_local_midnight_and_classify_peak_by_local_start():
    # given one meter, 1 Wh every hour of 2025 (local), hourly
    first = _local_ts(2025, 1, 1)
    hours = (_local_ts(2026, 1, 1) - first) // 3600
    runs = _runs([("A", first, 60, [1] * hours)])
    # when
    det = study_determinants(runs, tariff=load_tariff("ocec-res-tou"))
    # then March loses an hour, November gains one; on-peak is 6 local hours every day
    energy = dict(zip(det.months, det.energy_wh.tolist(), strict=True))
    assert hours == 8760
    assert energy["2025-03"] == 31 * 24 - 1
    assert energy["2025-11"] == 30 * 24 + 1
    on_peak = dict(zip(det.months, det.energy_wh_by_tou["on_peak"].tolist(), strict=True))
    assert on_peak["2025-03"] == 31 * 6
    assert on_peak["2025-11"] == 30 * 6


def test_demand_is_the_peak_rolling_15_minutes_inside_the_month():
    # given 5-minute data from 23:45 on June 30; a window across midnight would be 5900 Wh
    first = _local_ts(2025, 6, 30, 23, 45)
    runs = _runs([("A", first, 5, [0, 5000, 300, 600, 900, 0, 0])])
    # when
    det = study_determinants(runs, tariff=load_tariff("ocec-gs"))
    # then June: 5300 Wh in 15 minutes = 21.2 kW; July: 600 + 900 = 1500 Wh = 6 kW
    assert det.months == ("2025-06", "2025-07")
    assert det.demand_w is not None
    assert det.demand_w.tolist() == [21_200, 6_000]


def test_a_five_minute_month_shorter_than_the_demand_window_is_refused():
    runs = _runs([("A", _local_ts(2025, 6, 30, 23, 50), 5, [1, 2, 3, 4, 5])])
    with pytest.raises(StudyDataError, match="less than 15 minutes of data in 2025-06"):
        study_determinants(runs, tariff=load_tariff("ocec-gs"))


@pytest.mark.parametrize(
    ("starts", "message"),
    [
        ([0, 3600, 3600, 7200], "duplicate interval"),
        ([0, 3600, 10800, 14400], "gap or mixed lengths"),
        ([0, 600, 1200, 1800], "10-minute intervals"),
    ],
)
def test_defects_are_refused_naming_the_meter(starts, message):
    # given
    base = _local_ts(2025, 5, 1)
    runs = group_by_meter(
        meter_codes=np.zeros(len(starts), dtype=np.int64),
        meter_names=["M-17"],
        start=np.array([base + s for s in starts], dtype=np.int64),
        energy_wh=np.ones(len(starts), dtype=np.int64),
    )
    # when / then
    with pytest.raises(StudyDataError, match=f"meter M-17 at 2025-05-01.*{message}"):
        rate_study(runs, tariff=load_tariff("ocec-res"))


def test_negative_energy_is_refused():
    runs = _runs([("A", _local_ts(2025, 5, 1), 60, [5, -1, 5])])
    with pytest.raises(StudyDataError, match="negative energy -1 Wh"):
        rate_study(runs, tariff=load_tariff("ocec-res"))


def test_unsorted_and_interleaved_rows_are_regrouped():
    # given two meters' rows interleaved and reversed in time
    base = _local_ts(2025, 5, 1)
    starts = [base + 3600 * h for h in (2, 2, 1, 1, 0, 0)]
    runs = group_by_meter(
        meter_codes=np.array([0, 1, 0, 1, 0, 1]),
        meter_names=["A", "B"],
        start=np.array(starts, dtype=np.int64),
        energy_wh=np.array([3000, 30, 2000, 20, 1000, 10], dtype=np.int64),
    )
    # when
    result = rate_study(runs, tariff=load_tariff("ocec-res"))
    # then 6 kWh x 0.1371 = 0.8226 -> 0.82; 0.06 kWh -> 0.008226 -> 0.01
    assert _study_totals(result) == {
        ("A", "2025-05"): load_money("30.82"),
        ("B", "2025-05"): load_money("30.01"),
    }


def load_money(text):
    from coopcis.core.money import Money

    return Money.of(text)


@pytest.mark.parametrize("code", ["ocec-res", "ocec-res-tou", "ocec-gs-tou"])
def test_meters_on_one_grid_equal_the_engine(code, monkeypatch):
    # given three meters starting together, one length and spacing (summed as a grid)
    from coopcis.core.rating import study

    grids = []
    find_grid = study._grid
    monkeypatch.setattr(study, "_grid", lambda *args: grids.append(find_grid(*args)) or grids[-1])
    rng = np.random.default_rng(11)
    first = _local_ts(2025, 2, 27, 22)
    meters = [(f"G{i}", first, 60, rng.integers(0, 9_000, size=24 * 40).tolist()) for i in range(3)]
    tariff = load_tariff(code)
    # when
    result = rate_study(_runs(meters), tariff=tariff)
    # then
    assert _study_totals(result) == _engine_totals(meters, tariff)
    assert grids and all(grid is not None for grid in grids)


@pytest.mark.parametrize(
    ("largest", "code"),
    [(9_000, "ocec-res"), (9_000, "ocec-res-tou"), (6_000_000, "ocec-res")],
)
def test_int32_energy_on_a_grid_sums_exactly(largest, code):
    # given int32 Wh (as read from Parquet) on a grid; up to 6,000,000 Wh an hour makes a
    # month's sum overflow int32, so it must be summed in int64
    from dataclasses import replace

    rng = np.random.default_rng(5)
    first = _local_ts(2025, 2, 27, 22)
    meters = [
        (f"G{i}", first, 60, rng.integers(0, largest, size=24 * 70).tolist()) for i in range(3)
    ]
    runs = _runs(meters)
    runs = replace(runs, energy_wh=runs.energy_wh.astype(np.int32))
    tariff = load_tariff(code)
    # when
    result = rate_study(runs, tariff=tariff)
    # then
    assert _study_totals(result) == _engine_totals(meters, tariff)
    assert result.determinants.energy_wh.dtype == np.int64


@pytest.mark.parametrize(
    ("meter", "defect", "message"),
    [
        (0, "gap", "gap or mixed lengths"),
        (2, "gap", "gap or mixed lengths"),
        (2, "duplicate", "duplicate interval"),
        (1, "swap", None),
    ],
)
def test_defects_in_meters_of_one_grid_are_found(meter, defect, message):
    # given three meters with the same number of starts, one of them bent
    first = _local_ts(2025, 5, 1)
    starts = [[first + 3600 * hour for hour in range(48)] for _ in range(3)]
    bent = starts[meter]
    if defect == "gap":  # hour 10 missing, one more hour at the end
        bent[10:] = [*bent[11:], bent[-1] + 3600]
    elif defect == "duplicate":
        bent[10] = bent[9]
    else:  # two rows out of order: sorted, not refused
        bent[10], bent[11] = bent[11], bent[10]
    names = ["A", "B", "C"]
    runs = group_by_meter(
        meter_codes=np.repeat(np.arange(3), 48),
        meter_names=names,
        start=np.array(starts, dtype=np.int64).ravel(),
        energy_wh=np.full(3 * 48, 1000, dtype=np.int64),
    )
    # when / then
    if message is None:
        assert len(rate_study(runs, tariff=load_tariff("ocec-res")).determinants) == 3
    else:
        with pytest.raises(StudyDataError, match=f"meter {names[meter]} at .*{message}"):
            rate_study(runs, tariff=load_tariff("ocec-res"))
