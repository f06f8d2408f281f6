"""A bill run on two real workers over RabbitMQ, one SIGKILLed at chosen points, bills
exactly once.

Starts ``coopcis worker`` processes on a PostgreSQL database of their own and a queue
of the test's own (parallel runs do not take each other's batches), runs ``bill-run
--workers``, kills a worker (its whole process group, SIGKILL) when the database shows a
seed-chosen number of bills committed, starts another, and compares every bill with an
uninterrupted in-process run of the same co-op (the session's ``co_op``, conftest.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import time
import uuid
from urllib.parse import urlparse

import psycopg
import pytest
from amqp.exceptions import AMQPError
from django.db import connection
from kombu import Connection

from tests.integration.billing.test_kill_restart import (
    COOPCIS,
    PERIOD,
    _bills,
    _coopcis,
    _server,
    created,  # noqa: F401 - the fixture
)

BROKER_URL = os.environ.get("COOPCIS_BROKER_URL") or "amqp://guest:guest@127.0.0.1:5672//"

pytestmark = [pytest.mark.slow, pytest.mark.postgres_only, pytest.mark.django_db]


def _broker_answers() -> bool:
    where = urlparse(BROKER_URL)
    try:
        socket.create_connection((where.hostname or "127.0.0.1", where.port or 5672), 2).close()
    except OSError:
        return False
    return True


#: Queues made by ``_queue`` during the test, deleted by ``broker`` after it.
_QUEUES: list[str] = []


def _queue() -> str:
    """A queue of the test's own (parallel runs take no one else's batches); the
    ``broker`` fixture deletes it after the test, with whatever is left on it."""
    name = f"coopcis-test-{uuid.uuid4().hex[:12]}"
    _QUEUES.append(name)
    return name


@pytest.fixture
def broker():
    if connection.vendor != "postgresql":
        pytest.skip("workers run on PostgreSQL only (SQLite keeps everything in-process)")
    if not _broker_answers():
        pytest.skip(f"no RabbitMQ at {BROKER_URL}")
    yield BROKER_URL
    names = list(_QUEUES)
    _QUEUES.clear()
    with Connection(BROKER_URL) as server:
        for name in names:
            # a queue never declared (the test stopped before): nothing to delete
            with contextlib.suppress(OSError, AMQPError):
                server.channel().queue_delete(name)


def _count(env: dict[str, str]) -> int:
    with psycopg.connect(env["COOPCIS_DATABASE_URL"], autocommit=True) as db:
        row = db.execute("SELECT count(*) FROM billing_bill WHERE period = %s", [PERIOD]).fetchone()
    return int(row[0]) if row else 0


def _worker(env: dict[str, str], log) -> subprocess.Popen:
    return subprocess.Popen(
        [COOPCIS, "worker", "--concurrency", "1", "--loglevel", "WARNING"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: killed whole, as a machine dies
    )


def _kill(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def _clone(env: dict[str, str], name: str, made: list[str], tmp_path) -> dict[str, str]:
    """A copy of ``env``'s database (CREATE DATABASE ... TEMPLATE): the same co-op, fast."""
    source = urlparse(env["COOPCIS_DATABASE_URL"]).path.lstrip("/")
    database = f"{source}_{name}"
    _server(f'CREATE DATABASE "{database}" TEMPLATE "{source}"')
    made.append(database)
    url = env["COOPCIS_DATABASE_URL"].rsplit("/", 1)[0] + f"/{database}"
    return env | {"COOPCIS_DATABASE_URL": url, "COOPCIS_VAR_DIR": str(tmp_path / name)}


def test_killed_workers_bill_exactly_once(tmp_path, created, broker, co_op):  # noqa: F811
    victims = {seed: _clone(co_op.env, f"s{seed}", created, tmp_path) for seed in (16, 1607)}
    total = co_op.total
    assert total > 300
    want = co_op.bills
    for seed, victim in victims.items():
        _bill_on_workers_killing_some(tmp_path / f"s{seed}", victim, broker, seed, total)
        got = _bills(victim)
        assert got["rows"] == want["rows"], seed  # same bills and amounts, one per point
        assert got["entries"] == got["posted"] == want["posted"]  # one entry per posted bill
        assert got["balanced"] and got["receivables_difference"] == "0.00"
        again = json.loads(_coopcis(victim, "bill-run", "--period", PERIOD, "--json"))
        assert (again["billed"], again["held"], again["already_billed"]) == (0, 0, total)


def _bill_on_workers_killing_some(tmp_path, victim, broker, seed, total) -> None:
    """``bill-run --workers`` on two workers; one killed at two seed-chosen bill counts,
    another started each time."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    victim |= {
        "COOPCIS_BROKER_URL": broker,
        "COOPCIS_JOBS_QUEUE": _queue(),
        "COOPCIS_JOBS_LEASE_SECONDS": "2",
    }
    chooser = random.Random(seed)
    kill_at = sorted(chooser.sample(range(20, total - 40), 2))
    log = (tmp_path / "workers.log").open("w")
    workers = [_worker(victim, log), _worker(victim, log)]
    follower = subprocess.Popen(
        [COOPCIS, "bill-run", "--period", PERIOD, "--workers", "--batch-size", "10", "--json"],
        env=victim,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    landed: list[int] = []
    try:
        deadline = time.monotonic() + 240
        while kill_at and follower.poll() is None and time.monotonic() < deadline:
            if _count(victim) >= kill_at[0]:
                victim_worker = workers.pop(chooser.randrange(len(workers)))
                _kill(victim_worker)
                landed.append(_count(victim))
                kill_at.pop(0)
                workers.append(_worker(victim, log))
            time.sleep(0.02)
        out, err = follower.communicate(timeout=max(deadline - time.monotonic(), 1))
    finally:
        for process in workers:
            _kill(process)
        if follower.poll() is None:
            follower.kill()
        log.close()
    assert follower.returncode == 0, err + (tmp_path / "workers.log").read_text()[-3000:]
    finished = json.loads(out)
    assert len(landed) == 2 and all(0 < count < total for count in landed), landed

    assert finished["billed"] + finished["held"] == total  # this run billed them all

    jobs = json.loads(_coopcis(victim, "jobs", "list", "--json"))["jobs"]
    assert [(job["status"], job["failed"], job["done"]) for job in jobs] == [
        ("FINISHED", 0, jobs[0]["batches"])
    ]
