"""``bills print --workers`` whose follower (the command) is SIGKILLed midway still leaves
the mail house its manifest: the worker that does the job's last batch writes it, the same
bytes as an uninterrupted print run's; printing again picks up the finished job and renders
nothing again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import psycopg
import pytest

from tests.integration.billing.test_kill_restart import (
    COOPCIS,
    PERIOD,
    _coopcis,
    _env,
    created,  # noqa: F401 - the fixture
)
from tests.integration.workers.test_worker_kill import _kill, _queue, _worker, broker  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.postgres_only, pytest.mark.django_db]

MANIFEST = f"manifest-{PERIOD}.csv"


def _files(folder) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def _batches(env: dict[str, str]) -> dict[str, int]:
    """The print job's batches by status (empty before the job is queued)."""
    with psycopg.connect(env["COOPCIS_DATABASE_URL"], autocommit=True) as db:
        rows = db.execute("SELECT status, count(*) FROM jobs_batch GROUP BY status").fetchall()
    return {str(status): int(count) for status, count in rows}


def _job_status(env: dict[str, str]) -> list[str]:
    with psycopg.connect(env["COOPCIS_DATABASE_URL"], autocommit=True) as db:
        return [str(row[0]) for row in db.execute("SELECT status FROM jobs_job").fetchall()]


def _wait(condition, what: str, log, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what}: " + log.read_text()[-3000:]
        time.sleep(0.02)


def test_the_manifest_is_written_when_the_follower_was_killed(tmp_path, created, broker):  # noqa: F811
    env = _env(tmp_path, "print", created) | {
        "COOPCIS_BROKER_URL": broker,
        "COOPCIS_JOBS_QUEUE": _queue(),
    }
    _coopcis(env, "migrate", "--verbosity", "0")
    _coopcis(env, "staff", "add", "operator", "--role", "manager")
    _coopcis(env, "demo", "--members", "60", "--months", "2", "--seed", "7", "--through", PERIOD)
    _coopcis(env, "bill-run", "--period", PERIOD)
    here, there = tmp_path / "here", tmp_path / "there"
    _coopcis(env, "bills", "print", "--period", PERIOD, "--out", str(here), "--processes", "1")
    command = [COOPCIS, "bills", "print", "--period", PERIOD, "--out", str(there), "--workers",
               "--batch-size", "5"]  # fmt: skip

    log_path = tmp_path / "worker.log"
    log = log_path.open("w")
    follower = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
    worker = None
    try:
        # the follower queues the job; a worker does some of its batches, then is held
        # still while the follower is killed, so the follower dies with the job half done
        _wait(lambda: sum(_batches(env).values()) > 0, "no job queued", log_path)
        worker = _worker(env, log)
        _wait(lambda: _batches(env).get("DONE", 0) >= 2, "no batch done", log_path)
        os.killpg(worker.pid, signal.SIGSTOP)
        follower.kill()  # SIGKILL: nothing of the follower runs after this
        follower.wait(timeout=30)
        at_kill = _batches(env)
        os.killpg(worker.pid, signal.SIGCONT)
        _wait(lambda: _job_status(env) == ["FINISHED"], "the job never finished", log_path)

        assert follower.returncode == -signal.SIGKILL
        assert 0 < at_kill.get("DONE", 0) < sum(at_kill.values()), at_kill
        printed = _files(there)
        assert MANIFEST in printed
        assert printed == _files(here)  # the manifest byte for byte, and every PDF
        assert not list(there.glob("*.partial"))

        # printing again picks up the finished job: no new job, nothing rendered again
        stamps = {path.name: path.stat().st_mtime_ns for path in there.glob("*.pdf")}
        again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr
        assert f"manifest {MANIFEST}" in again.stderr
        jobs = json.loads(_coopcis(env, "jobs", "list", "--json"))["jobs"]
        assert len(jobs) == 1 and jobs[0]["status"] == "FINISHED"
        assert {path.name: path.stat().st_mtime_ns for path in there.glob("*.pdf")} == stamps
        assert _files(there) == _files(here)
    finally:
        if follower.poll() is None:
            follower.kill()
            follower.wait(timeout=30)
        if worker is not None:
            _kill(worker)
        log.close()
