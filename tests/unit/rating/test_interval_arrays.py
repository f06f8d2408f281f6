"""The bill run's array path gives exactly the engine's interval determinants."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopcis.catalog.tariffs import load_tariff
from coopcis.core.periods import InstantRange
from coopcis.core.rating.interval_arrays import TouLabels, determinants_from_arrays
from coopcis.core.rating.intervals import Interval, IntervalDataError, determinants_from_intervals

TARIFFS = {code: load_tariff(code) for code in ("ocec-res-tou", "ocec-gs-tou", "ocec-lp", "sec-19")}
# local midnights around both 2025 DST changes and an ordinary month
STARTS = [
    datetime(2025, 3, 7, 7, tzinfo=UTC),
    datetime(2025, 10, 31, 6, tzinfo=UTC),
    datetime(2025, 6, 14, 6, tzinfo=UTC),
]


@settings(max_examples=60, deadline=None)
@given(
    code=st.sampled_from(sorted(TARIFFS)),
    start=st.sampled_from(STARTS),
    minutes=st.sampled_from([5, 15, 30, 60]),
    hours=st.integers(min_value=1, max_value=96),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_arrays_match_the_engine(code, start, minutes, hours, seed):
    tariff = TARIFFS[code]
    count = hours * 60 // minutes
    energy = np.random.default_rng(seed).integers(0, 5_000, size=count, dtype=np.int64)
    starts = np.int64(start.timestamp()) + np.arange(count, dtype=np.int64) * minutes * 60
    span = InstantRange(start, start + timedelta(minutes=minutes * count))
    fast = determinants_from_arrays(
        starts=starts,
        minutes=minutes,
        energy_wh=energy,
        span=span,
        tariff=tariff,
        tou=TouLabels(tariff.time_of_use) if tariff.time_of_use else None,
    )
    intervals = [
        Interval(
            start_at=start + timedelta(minutes=minutes * i), minutes=minutes, energy_wh=int(wh)
        )
        for i, wh in enumerate(energy)
    ]
    assert fast == determinants_from_intervals(intervals=intervals, tariff=tariff, expected=span)


def test_a_gap_is_reported_like_the_engine_does():
    tariff = TARIFFS["ocec-res-tou"]
    start = STARTS[2]
    starts = np.int64(start.timestamp()) + np.arange(96, dtype=np.int64) * 900
    starts = np.delete(starts, 40)
    energy = np.full(95, 250, dtype=np.int64)
    span = InstantRange(start, start + timedelta(days=1))
    with pytest.raises(IntervalDataError) as error:
        determinants_from_arrays(
            starts=starts, minutes=15, energy_wh=energy, span=span, tariff=tariff
        )
    assert [problem.kind for problem in error.value.problems] == ["gap"]
