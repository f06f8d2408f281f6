"""``rate study --workers`` on a real worker over RabbitMQ prints what the in-process study
prints, byte for byte; a batch done a second time gives the same result; on SQLite, or
for a CSV file, ``--workers`` is refused in one line."""

from __future__ import annotations

import json
import os
import subprocess
import time

import psycopg
import pytest

from tests.integration.billing.test_kill_restart import (
    COOPCIS,
    _coopcis,
    created,  # noqa: F401 - the fixture
)
from tests.integration.workers.test_worker_kill import _clone, _kill, _queue, _worker, broker  # noqa: F401
from tests.unit.rating_study.test_parquet_layouts import _rows, _write

# row groups of 97 rows that cut meters (pandas, polars), and a meter every row group
# (last: its batches are the ones done again below)
LAYOUTS = ("zstd-split-meters-small-groups", "recommended-one-meter-groups")


def _study(env: dict[str, str], path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [COOPCIS, "rate", "study", "ocec-res-tou", "--intervals", str(path), *extra],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def _batches(env: dict[str, str]) -> list[tuple[int, str, dict]]:
    """The batches of the latest rate study job: id, status, result."""
    with psycopg.connect(env["COOPCIS_DATABASE_URL"], autocommit=True) as db:
        rows = db.execute(
            "SELECT id, status, result FROM jobs_batch WHERE job_id = (SELECT max(id) FROM "
            "jobs_job WHERE kind = 'rate-study') ORDER BY number"
        ).fetchall()
    return [(int(row[0]), str(row[1]), dict(row[2])) for row in rows]


@pytest.mark.slow
@pytest.mark.postgres_only
@pytest.mark.django_db
def test_the_study_on_a_worker_prints_the_in_process_study(
    tmp_path,
    created,  # noqa: F811
    broker,  # noqa: F811
    migrated,  # with the operator's sign-in: who retries the batch
):
    env = _clone(migrated, "study", created, tmp_path) | {
        "COOPCIS_BROKER_URL": broker,
        "COOPCIS_JOBS_QUEUE": _queue(),
    }
    files = {layout: _write(tmp_path / f"{layout}.parquet", _rows(), layout) for layout in LAYOUTS}
    log = (tmp_path / "worker.log").open("w")
    worker = _worker(env, log)
    try:
        for layout, path in files.items():
            for output in (["--json"], []):
                here = _study(env, path, *output)
                there = _study(env, path, *output, "--workers", "--batch-rows", "200")
                assert there.returncode == 0, there.stderr + (tmp_path / "worker.log").read_text()
                assert here.returncode == 0 and here.stdout
                assert there.stdout == here.stdout, layout  # byte for byte
                assert there.stderr == ""  # no batch fell back to the in-process study
                if output:
                    assert json.loads(there.stdout)["bills"], layout
            batches = _batches(env)
            assert {status for _, status, _ in batches} == {"DONE"}
            # one meter a row group: a batch ends after each meter of 200 rows or more;
            # row groups of 97 rows: a meter goes on across every boundary, so no cut
            assert len(batches) == (1 if "split" in layout else 3), layout

        # a batch done twice (as after a worker died before recording it) gives the same
        # result, so the same output
        batch_id, _, before = batches[1]
        with psycopg.connect(env["COOPCIS_DATABASE_URL"], autocommit=True) as db:
            db.execute("UPDATE jobs_batch SET status = 'FAILED' WHERE id = %s", [batch_id])
        _coopcis(env, "jobs", "retry", str(batch_id))
        deadline = time.monotonic() + 120
        while (again := {b[0]: b for b in _batches(env)}[batch_id])[1] != "DONE":
            assert time.monotonic() < deadline, (tmp_path / "worker.log").read_text()[-3000:]
            time.sleep(0.1)

        csv_file = tmp_path / "data.csv"
        csv_file.write_text("meter_id,start,kwh\nA,2025-01-01T00:00:00-07:00,1.5\n")
        refused = _study(env, csv_file, "--workers")
        assert refused.returncode == 2 and "--workers studies a Parquet file" in refused.stderr
    finally:
        _kill(worker)
        log.close()
    assert before["meters"] and again[2]["meters"] == before["meters"]
    assert again[2]["part"] == before["part"]


def test_workers_are_refused_on_sqlite_and_for_a_csv_file(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("COOPCIS_")}
    env |= {"COOPCIS_VAR_DIR": str(tmp_path / "var"), "COOPCIS_BROKER_URL": "amqp://x//"}
    path = _write(tmp_path / "data.parquet", _rows(), "recommended")

    refused = _study(env, path, "--workers")

    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.startswith("coopcis rate study: workers: workers need PostgreSQL")
    assert refused.stderr.count("\n") == 1
