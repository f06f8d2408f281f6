"""A bill run whose follower (the ``bill-run --workers`` process) is SIGKILLed midway
still finishes: the worker that does the last batch records the job and the run finished.
"""

from __future__ import annotations

import json
import subprocess
import time
import uuid

import psycopg
import pytest

from tests.integration.billing.test_kill_restart import (
    COOPCIS,
    PERIOD,
    _bills,
    _co_op,
    _coopcis,
    _env,
    created,  # noqa: F401 - the fixture
)
from tests.integration.workers.test_worker_kill import _clone, _count, _kill, _worker, broker  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.postgres_only, pytest.mark.django_db]


def _run_status(env: dict[str, str]) -> tuple[str, int, int] | None:
    with psycopg.connect(env["COOPCIS_DATABASE_URL"], autocommit=True) as db:
        row = db.execute(
            "SELECT status, billed, held FROM billing_billrun WHERE period = %s", [PERIOD]
        ).fetchone()
    return (str(row[0]), int(row[1]), int(row[2])) if row else None


def test_a_run_whose_follower_died_is_finished_by_the_last_worker(tmp_path, created, broker):  # noqa: F811
    reference = _env(tmp_path, "reference", created)
    _co_op(reference)
    victim = _clone(reference, "orphan", created, tmp_path)
    expected = json.loads(_coopcis(reference, "bill-run", "--period", PERIOD, "--json"))
    total = expected["billed"] + expected["held"]
    victim |= {
        "COOPCIS_BROKER_URL": broker,
        "COOPCIS_JOBS_QUEUE": f"coopcis-test-{uuid.uuid4().hex[:12]}",
    }
    log = (tmp_path / "workers.log").open("w")
    workers = [_worker(victim, log), _worker(victim, log)]
    follower = subprocess.Popen(
        [COOPCIS, "bill-run", "--period", PERIOD, "--workers", "--batch-size", "10", "--json"],
        env=victim,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while _count(victim) < 20 and time.monotonic() < deadline:
            time.sleep(0.02)
        follower.kill()  # SIGKILL: nothing of the follower runs after this
        follower.wait(timeout=30)
        killed_at = _count(victim)
        while _run_status(victim) != ("FINISHED", expected["billed"], expected["held"]):
            assert time.monotonic() < deadline, (_run_status(victim), killed_at)
            time.sleep(0.1)
    finally:
        for process in workers:
            _kill(process)
        log.close()

    assert 0 < killed_at < total  # the follower died with the run half done
    jobs = json.loads(_coopcis(victim, "jobs", "list", "--json"))["jobs"]
    assert [(job["status"], job["failed"], job["done"]) for job in jobs] == [
        ("FINISHED", 0, jobs[0]["batches"])
    ]
    got, want = _bills(victim), _bills(reference)
    assert got["rows"] == want["rows"]
    assert got["balanced"] and got["receivables_difference"] == "0.00"
    again = json.loads(_coopcis(victim, "bill-run", "--period", PERIOD, "--json"))
    assert (again["billed"], again["held"], again["already_billed"]) == (0, 0, total)
