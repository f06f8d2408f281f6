"""``rate study --workers``, its batches done here: row group ranges that never split a
meter, each studied alone (as a worker does), merged in file order into the in-process
study's answer: the same JSON, the same summary, the same refusals.

On real workers over RabbitMQ: tests/integration/workers/test_rate_study_on_workers.py.
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest

from coopcis.catalog.tariffs import load_tariff
from coopcis.commands import rate_study
from coopcis.commands.rate_study import (
    InputError,
    merge_parts,
    plan_batches,
    read_intervals,
    study_batch,
    study_file,
    study_json,
    study_text,
)
from coopcis.core.periods import CO_OP_TIME_ZONE
from coopcis.core.rating.study import StudyDataError, merge_determinants
from coopcis.core.rating.study import rate_study as whole_study
from tests.unit.rating_study.test_parquet_layouts import FIRST, LAYOUTS, _defect, _rows, _write


def _params(path, code="ocec-res-tou", **options):
    return {
        "path": str(path),
        "code": code,
        "on": None,
        "interval_minutes": options.get("interval_minutes"),
        "power_factor": options.get("power_factor"),
    }


def _on_batches(path, batch_rows, code="ocec-res-tou", **options):
    """What the follower merges: each batch studied alone, results in file order (and
    each batch done twice, as after a worker died before recording it: the same result)."""
    params = _params(path, code, **options)
    results = []
    for low, high in plan_batches(path, batch_rows):
        payload = {"ids": list(range(low, high))}
        first = study_batch(params, payload)
        assert json.loads(json.dumps(first)) == study_batch(params, payload)
        results.append(json.loads(json.dumps(first)))  # as stored: JSON
    return merge_parts(results)


def _outcome(run):
    try:
        result = run()
    except (StudyDataError, InputError) as error:
        return f"{StudyDataError.__name__}: {error}".replace("coopcis rate study: ", "")
    return study_json("x", result) + study_text("x", result)


def _meter_rows(path) -> list[tuple[str, str]]:
    """Each row group's first and last meter, read whole (the reference for the plan)."""
    import pyarrow.parquet as pq

    handle = pq.ParquetFile(path)
    edges = []
    for group in range(handle.metadata.num_row_groups):
        ids = [
            str(i)
            for i in handle.read_row_group(group, columns=["meter_id"])["meter_id"].to_pylist()
        ]
        edges.append((ids[0], ids[-1]) if ids else None)
    return edges


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
@pytest.mark.parametrize("batch_rows", [1, 250, 1_000, 1 << 22])
def test_batches_never_split_a_meter_and_merge_into_the_in_process_answer(
    tmp_path, layout, batch_rows
):
    path = _write(tmp_path / "data.parquet", _rows(), layout)
    batches = plan_batches(path, batch_rows)
    edges = _meter_rows(path)

    assert batches[0][0] == 0 and batches[-1][1] == len(edges)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(batches))
    for (_, end), (begin, _) in itertools.pairwise(batches):
        before = [edge for edge in edges[:end] if edge][-1]
        after = next(edge for edge in edges[begin:] if edge)
        assert before[1] != after[0]  # a meter never goes on into the next batch
    if batch_rows == 1 and layout in ("recommended", "recommended-one-meter-groups"):
        assert len(batches) > 1

    tariff = load_tariff("ocec-res-tou")
    merged = _outcome(lambda: _on_batches(path, batch_rows))
    assert merged == _outcome(lambda: study_file(path, tariff=tariff))
    assert merged.startswith("{")


@pytest.mark.parametrize("code", ["ocec-res", "ocec-gs-tou", "sec-19"])
def test_engine_and_exact_pricing_merge_the_same(tmp_path, code):
    path = _write(tmp_path / "data.parquet", _rows(), "recommended-one-meter-groups")
    factor = Decimal("0.9") if code == "sec-19" else None
    merged = _on_batches(path, 1, code, power_factor=None if factor is None else str(factor))
    alone = study_file(path, tariff=load_tariff(code), power_factor=factor)
    assert merged.method == alone.method == ("engine" if code == "sec-19" else "exact")
    assert study_json("x", merged) + study_text("x", merged) == _outcome(lambda: alone)


def test_a_determinant_the_data_lacks_is_refused_in_the_same_words(tmp_path, capsys):
    path = _write(tmp_path / "data.parquet", _rows(), "recommended-one-meter-groups")
    assert rate_study.main(["sec-19", "--intervals", str(path)]) == 2
    in_process = capsys.readouterr().err.strip()
    with pytest.raises(InputError) as refused:
        _on_batches(path, 1, "sec-19")
    assert str(refused.value) == in_process
    assert in_process.endswith("(interval data gives kWh and kW only)")


@pytest.mark.parametrize("kind", ["gap", "duplicate", "negative", "ten-minute", "unsorted"])
@pytest.mark.parametrize("layout", ["recommended-one-meter-groups", "zstd-split-meters"])
def test_defects_are_refused_as_in_process(tmp_path, kind, layout):
    path = _write(tmp_path / "data.parquet", _defect(_rows(), kind), layout)
    merged = _outcome(lambda: _on_batches(path, 1))
    assert merged == _outcome(lambda: study_file(path, tariff=load_tariff("ocec-res-tou")))
    if kind != "unsorted":
        assert merged.startswith("StudyDataError: meter B-2 at ")


def test_a_file_not_grouped_by_meter_is_studied_in_process(tmp_path):
    path = _write(tmp_path / "data.parquet", _defect(_rows(), "interleaved"), "recommended")
    with pytest.raises(rate_study._InProcess, match="a meter in two"):
        _on_batches(path, 1)


def test_a_one_interval_meter_is_studied_in_process_unless_the_length_is_given(tmp_path):
    rows = [*_rows(), ("Z-9", FIRST.astimezone(UTC), 7)]
    path = _write(tmp_path / "data.parquet", rows, "recommended-one-meter-groups")
    with pytest.raises(rate_study._InProcess, match="one interval"):
        _on_batches(path, 1)
    merged = _outcome(lambda: _on_batches(path, 1, interval_minutes=15))
    assert merged == _outcome(
        lambda: study_file(path, tariff=load_tariff("ocec-res-tou"), interval_minutes=15)
    )


def test_a_worker_without_the_file_fails_its_batch_saying_why(tmp_path):
    with pytest.raises(FileNotFoundError, match="not on this worker's filesystem"):
        study_batch(_params(tmp_path / "gone.parquet"), {"ids": [0]})


def test_months_no_batch_spans_are_listed_as_the_whole_file_lists_them(tmp_path, monkeypatch):
    # given a meter read only in January and another only in March
    january = datetime(2025, 1, 10, tzinfo=CO_OP_TIME_ZONE).astimezone(UTC)
    march = datetime(2025, 3, 10, tzinfo=CO_OP_TIME_ZONE).astimezone(UTC)
    rows = [("A-1", january + timedelta(hours=h), 500) for h in range(48)]
    rows += [("B-2", march + timedelta(hours=h), 700) for h in range(48)]
    path = _write(tmp_path / "data.parquet", rows, "recommended-one-meter-groups")
    tariff = load_tariff("ocec-res")
    whole = whole_study(read_intervals(path), tariff=tariff)
    assert whole.determinants.months == ("2025-01", "2025-02", "2025-03")
    # when the file is studied one meter a batch (in-process, and on workers)
    monkeypatch.setattr(rate_study, "BATCH_ROWS", 1)
    batched = study_file(path, tariff=tariff)
    merged = _on_batches(path, 1, "ocec-res")
    # then February is listed (no bill), whatever the batches
    assert study_text("x", batched) == study_text("x", whole) == study_text("x", merged)
    assert batched.determinants.months == whole.determinants.months


def test_merged_months_run_from_the_first_to_the_last():
    def part(name, month):
        one = np.array([0], dtype=np.int64)
        return rate_study.StudyDeterminants(
            meter_ids=(name,), months=(month,), segment_meter=one, segment_month=one,
            first_start=one, end=one + 1, ticks_per_second=1, energy_wh=one,
        )  # fmt: skip

    merged = merge_determinants([part("A", "2024-11"), part("B", "2025-02")])
    assert merged.months == ("2024-11", "2024-12", "2025-01", "2025-02")
    assert merged.segment_month.tolist() == [0, 3]
