"""Runs with a ``shared_start`` (every meter over the same instants, no start a row)
give exactly what the same rows written out give: determinants, or the same refusal."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopcis.catalog.tariffs import load_tariff
from coopcis.core.periods import CO_OP_TIME_ZONE
from coopcis.core.rating.study import (
    MeterRuns,
    StudyDataError,
    StudyDeterminants,
    study_determinants,
)

TARIFFS = ("ocec-res", "ocec-res-tou", "ocec-gs-tou", "ocec-lp-tou")
# the end of February, across the March DST change
FIRST = int(datetime(2025, 2, 26, 0, tzinfo=CO_OP_TIME_ZONE).timestamp())


def _both(shared: np.ndarray, energy: np.ndarray, meters: int, **options):
    rows = len(shared)
    offsets = np.arange(meters + 1, dtype=np.int64) * rows
    names = tuple(f"M{meter}" for meter in range(meters))
    written = MeterRuns(names, offsets, np.tile(shared, meters), energy)
    compact = MeterRuns(names, offsets, np.empty(0, dtype=np.int64), energy, shared_start=shared)
    return _outcome(compact, **options), _outcome(written, **options)


def _outcome(runs: MeterRuns, **options):
    try:
        return _plain(study_determinants(runs, **options))
    except StudyDataError as error:
        return str(error)


def _plain(det: StudyDeterminants) -> dict:
    found = {}
    for name in ("segment_meter", "segment_month", "first_start", "end", "energy_wh"):
        found[name] = getattr(det, name).tolist()
    found["months"] = det.months
    found["tou"] = {k: v.tolist() for k, v in det.energy_wh_by_tou.items()}
    found["demand"] = None if det.demand_w is None else det.demand_w.tolist()
    found["demand_tou"] = {k: v.tolist() for k, v in det.demand_w_by_tou.items()}
    return found


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    minutes=st.sampled_from([5, 15, 30, 60, 7]),
    rows=st.integers(1, 2_000),
    meters=st.integers(1, 4),
    code=st.sampled_from(TARIFFS),
    hint=st.sampled_from([None, 15, 60]),
    seed=st.integers(0, 2**32 - 1),
    negative=st.booleans(),
)
def test_shared_starts_give_what_written_starts_give(
    minutes, rows, meters, code, hint, seed, negative
):
    rng = np.random.default_rng(seed)
    shared = FIRST + np.arange(rows, dtype=np.int64) * minutes * 60
    energy = rng.integers(0, 3_000, size=rows * meters).astype(np.int32)
    if negative:
        energy[int(rng.integers(0, len(energy)))] = -5
    compact, written = _both(
        shared, energy, meters, tariff=load_tariff(code), interval_minutes=hint
    )
    assert compact == written


@pytest.mark.parametrize(
    "defect",
    ["gap", "duplicate", "backwards", "uneven"],
)
def test_shared_starts_with_a_defect_are_refused_as_written_ones(defect):
    shared = FIRST + np.arange(500, dtype=np.int64) * 900
    if defect == "gap":
        shared[200:] += 900
    elif defect == "duplicate":
        shared[201] = shared[200]
    elif defect == "backwards":
        shared[[100, 101]] = shared[[101, 100]]
    else:
        shared[300:] += 300
    energy = np.full(500 * 3, 400, dtype=np.int64)
    compact, written = _both(shared, energy, 3, tariff=load_tariff("ocec-gs-tou"))
    assert compact == written
    assert isinstance(written, str) or defect == "backwards"


def test_offsets_that_do_not_match_the_shared_starts_are_read_row_by_row():
    # given meters of other lengths than the shared starts (a reader's mistake): the
    # study does not trust them and writes every row's start out
    shared = FIRST + np.arange(10, dtype=np.int64) * 3_600
    runs = MeterRuns(
        ("A", "B"),
        np.array([0, 5, 20], dtype=np.int64),
        np.empty(0, dtype=np.int64),
        np.ones(20, dtype=np.int64),
        shared_start=shared,
    )
    with pytest.raises(StudyDataError):
        study_determinants(runs, tariff=load_tariff("ocec-res"))
    good = replace(runs, offsets=np.array([0, 10, 20], dtype=np.int64))
    det = study_determinants(good, tariff=load_tariff("ocec-res"))
    assert det.energy_wh.tolist() == [10, 10]
