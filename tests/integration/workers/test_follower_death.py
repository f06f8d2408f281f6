"""A bill run whose follower (the ``bill-run --workers`` process) is SIGKILLed midway
still finishes: the worker that does the last batch records the job and the run finished;
and when a worker is SIGKILLed mid-batch too, the workers' sweep reclaims its batch.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

import psycopg
import pytest

from tests.integration.billing.test_kill_restart import (
    COOPCIS,
    PERIOD,
    _bills,
    _coopcis,
    created,  # noqa: F401 - the fixture
)
from tests.integration.workers.test_worker_kill import (  # noqa: F401
    _clone,
    _count,
    _kill,
    _queue,
    _worker,
    broker,
)

pytestmark = [pytest.mark.slow, pytest.mark.postgres_only, pytest.mark.django_db]


def _run_status(env: dict[str, str]) -> tuple[str, int, int] | None:
    with psycopg.connect(env["COOPCIS_DATABASE_URL"], autocommit=True) as db:
        row = db.execute(
            "SELECT status, billed, held FROM billing_billrun WHERE period = %s", [PERIOD]
        ).fetchone()
    return (str(row[0]), int(row[1]), int(row[2])) if row else None


@dataclass
class Orphan:
    """A bill run whose follower died (``_orphaned_run``): the copy's environment, the
    workers' log, the workers (the test may kill some and start others), the dead
    follower, and the deadline of the run."""

    env: dict[str, str]
    log: IO[str]
    workers: list[subprocess.Popen]
    follower: subprocess.Popen
    deadline: float

    def wait_until_finished(self, expected: dict, *about: object) -> None:
        """Until the bill run is FINISHED with the reference run's counts (``expected``),
        or AssertionError with ``about`` at the deadline."""
        while _run_status(self.env) != ("FINISHED", expected["billed"], expected["held"]):
            assert time.monotonic() < self.deadline, (_run_status(self.env), *about)
            time.sleep(0.1)


@contextmanager
def _orphaned_run(tmp_path, created, broker, co_op, name, **extra: str) -> Iterator[Orphan]:  # noqa: F811
    """A bill run of a copy of the co-op (named ``name``, environment ``extra`` added) on
    two workers, its follower SIGKILLed once 20 bills are in; every worker is killed when
    the block ends."""
    victim = _clone(co_op.env, name, created, tmp_path) | {
        "COOPCIS_BROKER_URL": broker,
        "COOPCIS_JOBS_QUEUE": _queue(),
        **extra,
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
        yield Orphan(victim, log, workers, follower, deadline)
    finally:
        for process in workers:
            _kill(process)
        log.close()


def test_a_run_whose_follower_died_is_finished_by_the_last_worker(
    tmp_path,
    created,  # noqa: F811
    broker,  # noqa: F811
    co_op,
):
    with _orphaned_run(tmp_path, created, broker, co_op, "orphan") as run:
        killed_at = _count(run.env)
        run.wait_until_finished(co_op.expected, killed_at)
    victim, total = run.env, co_op.total

    assert 0 < killed_at < total  # the follower died with the run half done
    jobs = json.loads(_coopcis(victim, "jobs", "list", "--json"))["jobs"]
    assert [(job["status"], job["failed"], job["done"]) for job in jobs] == [
        ("FINISHED", 0, jobs[0]["batches"])
    ]
    got, want = _bills(victim), co_op.bills
    assert got["rows"] == want["rows"]
    assert got["balanced"] and got["receivables_difference"] == "0.00"
    again = json.loads(_coopcis(victim, "bill-run", "--period", PERIOD, "--json"))
    assert (again["billed"], again["held"], again["already_billed"]) == (0, 0, total)


def _claims(env: dict[str, str], pid: int) -> list[int]:
    """The batches the worker started as ``pid`` holds claimed (its node is coopcis-PID@)."""
    with psycopg.connect(env["COOPCIS_DATABASE_URL"], autocommit=True) as db:
        rows = db.execute(
            "SELECT id FROM jobs_batch WHERE status = 'CLAIMED' AND worker LIKE %s",
            [f"coopcis-{pid}@%"],
        ).fetchall()
    return [int(row[0]) for row in rows]


def _kill_mid_batch(env: dict[str, str], worker: subprocess.Popen) -> list[int]:
    """SIGKILL ``worker`` while it holds a claim: stop it (SIGSTOP), look; kill it if it
    holds one, else let it go on and look again. The claimed batches it leaves."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        os.killpg(worker.pid, signal.SIGSTOP)
        held = _claims(env, worker.pid)
        if held:
            _kill(worker)
            return held
        os.killpg(worker.pid, signal.SIGCONT)
        time.sleep(0.005)
    raise AssertionError("the worker never held a claim")


def test_a_batch_of_a_killed_worker_is_reclaimed_with_no_follower_alive(
    tmp_path,
    created,  # noqa: F811
    broker,  # noqa: F811
    co_op,
):
    # the sweep runs every half lease: a stranded batch is queued again in 1-3 s
    with _orphaned_run(
        tmp_path, created, broker, co_op, "stranded", COOPCIS_JOBS_LEASE_SECONDS="2"
    ) as run:
        dead = run.workers.pop(0)  # no follower reclaims anything from here on
        stranded = _kill_mid_batch(run.env, dead)
        killed_at = _count(run.env)
        run.workers.append(_worker(run.env, run.log))
        run.wait_until_finished(co_op.expected, killed_at, stranded)
    victim, follower, total = run.env, run.follower, co_op.total

    assert follower.returncode == -signal.SIGKILL
    assert 0 < killed_at < total  # both died with the run half done
    job = json.loads(_coopcis(victim, "jobs", "list", "--json"))["jobs"][0]
    assert (job["status"], job["failed"], job["done"]) == ("FINISHED", 0, job["batches"])
    rows = {
        row["batch"]: row
        for row in json.loads(_coopcis(victim, "jobs", "show", str(job["job"]), "--json"))[
            "batch_rows"
        ]
    }
    for batch in stranded:  # claimed by the dead worker, then reclaimed and done by another
        assert rows[batch]["status"] == "DONE" and rows[batch]["attempts"] >= 2, rows[batch]
        assert not rows[batch]["worker"].startswith(f"coopcis-{dead.pid}@")
    got, want = _bills(victim), co_op.bills
    assert got["rows"] == want["rows"]  # every bill once, none missing
    assert got["entries"] == got["posted"] == want["posted"]
    assert got["balanced"] and got["receivables_difference"] == "0.00"
