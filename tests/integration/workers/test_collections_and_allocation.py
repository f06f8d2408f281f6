"""``collections run --workers`` and ``capital-credits allocate --workers`` on real
workers over RabbitMQ: the same notices, orders, cases and capital credits as the
in-process commands, and a batch done a second time sends, orders and allocates nothing
twice.

One co-op is loaded and billed, then copied (CREATE DATABASE ... TEMPLATE): the copy runs
the commands on two ``coopcis worker`` processes of a queue of its own, in batches small
enough to make several, the original runs them in-process, and the two are compared row
by row.
"""

from __future__ import annotations

import json
import subprocess
import time

import psycopg
import pytest

from tests.integration.billing.test_kill_restart import COOPCIS, _coopcis, created  # noqa: F401
from tests.integration.workers.test_worker_kill import _clone, _kill, _queue, _worker, broker  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.postgres_only, pytest.mark.django_db]

#: Collection days: cases opened and second notices, then disconnect notices, final
#: contacts and disconnect orders as the bills stay unpaid (the demo loads no payments).
DAYS = ("2025-08-25", "2025-09-08", "2025-09-22", "2025-10-06", "2025-10-20")
YEAR, MARGINS, ALLOCATED_ON = "2025", "12345.67", "2026-01-15"

STATE = """
import json
from coopcis.apps.collections.models import CollectionCase, Notice, ServiceOrder
from coopcis.apps.capital_credits.models import Allocation, CapitalCredit
from coopcis.apps.ledger import reports
from coopcis.apps.ledger.models import JournalLine
notices = sorted(
    [n.account.number, n.kind, n.round, str(n.sent_on), str(n.amount), str(n.pay_by),
     str(n.disconnect_on), n.recipient, n.method, n.language, n.bilingual, len(n.pdf)]
    for n in Notice.objects.select_related("account"))
orders = sorted(
    [o.account.number, o.kind, o.reason, o.status, str(o.created_on), str(o.scheduled_on),
     o.fee_code, str(o.fee_amount)]
    for o in ServiceOrder.objects.select_related("account"))
cases = sorted(
    [c.account.number, c.stage, c.round, str(c.past_due_amount), str(c.disconnect_on),
     c.next_step, str(c.next_step_on), str(c.closed_on), json.dumps(c.protected_by)]
    for c in CollectionCase.objects.select_related("account"))
credits = sorted(
    [c.allocation.year, c.account.number, str(c.patronage), str(c.amount), c.notice_method]
    for c in CapitalCredit.objects.select_related("allocation", "account"))
lines = sorted(
    [l.gl_account_id, str(l.debit_amount), str(l.credit_amount), str(l.member_account_id)]
    for l in JournalLine.objects.filter(entry__source_key__startswith="capital-credits:"))
print(json.dumps({"notices": notices, "orders": orders, "cases": cases, "credits": credits,
    "allocation_lines": lines, "allocations": Allocation.objects.count(),
    "balanced": reports.trial_balance().balanced}))
"""


def _state(env: dict[str, str]) -> dict[str, object]:
    return json.loads(_coopcis(env, "shell", "--no-imports", "-c", STATE))


def _fails(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([COOPCIS, *args], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode != 0, done.stdout
    return done.stderr


def _sql(env: dict[str, str], query: str, *params: object) -> list[tuple]:
    with psycopg.connect(env["COOPCIS_DATABASE_URL"], autocommit=True) as db:
        cursor = db.execute(query, params)  # type: ignore[arg-type]
        return cursor.fetchall() if cursor.description else []


def _do_again(env: dict[str, str], kind: str) -> list[dict]:
    """Every batch of the latest job of ``kind`` done a second time by the workers (marked
    failed, then ``coopcis jobs retry``): their results."""
    ((job,),) = _sql(env, "SELECT max(id) FROM jobs_job WHERE kind = %s", kind)
    batches = [row[0] for row in _sql(env, "SELECT id FROM jobs_batch WHERE job_id = %s", job)]
    assert len(batches) > 1
    _sql(env, "UPDATE jobs_batch SET status = 'FAILED' WHERE job_id = %s", job)
    for batch in batches:
        _coopcis(env, "jobs", "retry", str(batch))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        rows = _sql(env, "SELECT status, attempts, result FROM jobs_batch WHERE job_id = %s", job)
        if all(status != "PENDING" and status != "CLAIMED" for status, _, _ in rows):
            break
        time.sleep(0.2)
    assert {(status, attempts) for status, attempts, _ in rows} == {("DONE", 1)}, rows
    ((status,),) = _sql(env, "SELECT status FROM jobs_job WHERE id = %s", job)
    assert status == "FINISHED"
    return [result for _, _, result in rows]


def test_collections_and_allocation_on_workers_match_the_in_process_commands(
    tmp_path,
    created,  # noqa: F811
    broker,  # noqa: F811
    migrated,
):
    reference = _clone(migrated, "reference", created, tmp_path)
    demo = ("demo", "--members", "80", "--months", "3", "--seed", "16", "--through", "2025-08")
    _coopcis(reference, *demo)
    for period in ("2025-07", "2025-08"):
        _coopcis(reference, "bill-run", "--period", period)
    victim = _clone(reference, "workers", created, tmp_path) | {
        "COOPCIS_BROKER_URL": broker,
        "COOPCIS_JOBS_QUEUE": _queue(),
    }
    log = (tmp_path / "workers.log").open("w")
    workers = [_worker(victim, log), _worker(victim, log)]
    try:
        # the collections run, day by day: the same report and the same rows
        for day in DAYS:
            want = json.loads(_coopcis(reference, "collections", "run", "--as-of", day, "--json"))
            got = json.loads(
                _coopcis(
                    victim,
                    "collections",
                    "run",
                    "--as-of",
                    day,
                    "--json",
                    "--workers",
                    "--batch-size",
                    "17",
                )
            )
            assert got == want, day
        expected, state = _state(reference), _state(victim)
        assert state == expected
        kinds = {notice[1] for notice in expected["notices"]}  # type: ignore[union-attr]
        assert {"SECOND", "DISCONNECT"} <= kinds, kinds
        assert expected["orders"], "no disconnect order was made: the days prove too little"

        # a batch done again sends no notice and orders no disconnection twice
        again = _do_again(victim, "collections-run")
        for result in again:
            assert all(numbers == [] for numbers in result["accounts"].values()), result
        assert _state(victim) == expected

        # the allocation: its patronage summed in batches, split once over every patron
        alloc = ("capital-credits", "allocate", "--year", YEAR, "--margins", MARGINS)
        want = json.loads(_coopcis(reference, *alloc, "--on", ALLOCATED_ON, "--json"))
        got = json.loads(
            _coopcis(
                victim, *alloc, "--on", ALLOCATED_ON, "--json", "--workers", "--batch-size", "25"
            )
        )
        assert got == want
        assert sum(int(p["amount"].replace(".", "")) for p in got["patrons"]) == 1234567
        ((batches,),) = _sql(
            victim,
            "SELECT count(*) FROM jobs_batch b JOIN jobs_job j ON j.id = b.job_id "
            "WHERE j.kind = 'capital-credits-allocate'",
        )
        assert batches > 1  # patrons in several batches, yet the pool allocated to the cent
        expected, state = _state(reference), _state(victim)
        assert state == expected and state["allocations"] == 1 and state["balanced"]

        # a second allocation of the year is refused, citing the bylaw; a batch of the
        # first done again allocates nothing twice
        error = _fails(victim, *alloc, "--on", ALLOCATED_ON, "--workers")
        assert "already allocated" in error and "bylaws art. VIII sec. 2" in error
        assert len(error.strip().splitlines()) == 1
        _do_again(victim, "capital-credits-allocate")
        assert _state(victim) == expected
        # and a dry run is refused on workers
        error = _fails(victim, *alloc, "--on", ALLOCATED_ON, "--workers", "--dry-run")
        assert "dry run" in error and len(error.strip().splitlines()) == 1
        error = _fails(victim, "collections", "run", "--as-of", DAYS[-1], "--workers", "--dry-run")
        assert "dry run" in error
    finally:
        for process in workers:
            _kill(process)
        log.close()
