"""Batches claimed with a lease, done once, reclaimed when the lease expires, retried alone."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection, connections
from django.utils import timezone

from coopcis.apps.jobs import services
from coopcis.apps.jobs.handlers import register
from coopcis.apps.jobs.models import Batch, BatchStatus, JobStatus
from coopcis.core.errors import RuleViolation

pytestmark = pytest.mark.django_db

done: list[int] = []
broken: set[int] = set()


def _handler(params, payload):
    if payload["n"] in broken:
        raise OperationalError(f"server closed the connection (batch {payload['n']})")
    done.append(payload["n"])
    return {"n": payload["n"] * params["factor"]}


@pytest.fixture
def job():
    done.clear()
    broken.clear()
    register("test-double", _handler)
    payloads = [{"n": n, "ids": list(range(n))} for n in (1, 2, 3)]
    return services.create_job("test-double", {"factor": 10}, payloads, queue="q")


def _batch(job, number):
    return Batch.objects.get(job=job, number=number)


def test_a_batch_is_done_once_whatever_is_delivered_twice(job):
    first = _batch(job, 1)

    assert services.run_batch(first.pk, "w1") == "done"
    assert services.run_batch(first.pk, "w2") == "skipped"  # redelivered: already done

    first.refresh_from_db()
    timing = first.result.pop("timing")
    assert (first.status, first.worker, first.attempts, first.result) == (
        BatchStatus.DONE,
        "w1",
        1,
        {"n": 10},
    )
    assert done == [1]
    # where the batch's time went: this handler asks the database nothing
    assert (timing["queries"], timing["db_seconds"]) == (0, 0)
    assert timing["seconds"] >= 0


def _counting(params, payload):
    from coopcis.apps.jobs.models import Job

    Job.objects.count()
    Job.objects.filter(pk=params["job"]).exists()
    return {}


def test_a_batch_records_its_queries_and_the_time_they_took(job):
    register("test-counting", _counting)
    counted = services.create_job("test-counting", {"job": job.pk}, [{"ids": [1]}], queue="q")
    batch = counted.batches.get()

    assert services.run_batch(batch.pk, "w1") == "done"

    batch.refresh_from_db()
    assert batch.result["timing"]["queries"] == 2
    assert 0 <= batch.result["timing"]["db_seconds"] <= batch.result["timing"]["seconds"]


def test_a_live_claim_is_not_taken_and_an_expired_one_is_reclaimed(job):
    second = _batch(job, 2)
    assert services.claim(second.pk, "dead-worker")

    assert services.run_batch(second.pk, "w2") == "skipped"  # the lease still holds
    assert services.reclaim_expired(job) == []

    Batch.objects.filter(pk=second.pk).update(lease_expires_at=timezone.now() - timedelta(1))
    assert services.reclaim_expired(job) == [second.pk]
    assert services.run_batch(second.pk, "w2") == "done"
    second.refresh_from_db()
    assert (second.worker, second.attempts) == ("w2", 2)
    assert done == [2]


def test_a_worker_whose_lease_was_taken_does_not_do_the_batch(job):
    third = _batch(job, 3)
    assert services.claim(third.pk, "slow")
    Batch.objects.filter(pk=third.pk).update(lease_expires_at=timezone.now() - timedelta(1))
    assert services.claim(third.pk, "other")  # the expired lease is taken over

    # the slow worker's work transaction finds the claim is no longer its own
    Batch.objects.filter(pk=third.pk).update(worker="other")
    assert services.run_batch(third.pk, "slow") == "skipped"
    assert done == []


def test_a_failing_batch_is_retried_then_failed_then_retried_alone(job):
    broken.add(2)
    second = _batch(job, 2)

    outcomes = [services.run_batch(second.pk, "w") for _ in range(3)]

    assert outcomes == ["retry", "retry", "failed"]
    second.refresh_from_db()
    assert second.status == BatchStatus.FAILED and "OperationalError" in second.error
    for number in (1, 3):
        services.run_batch(_batch(job, number).pk, "w")
    state = services.follow(job, dispatch=lambda ids: None, poll=0)
    assert (state.done, state.failed, state.done_size) == (2, 1, 1 + 3)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED

    broken.clear()
    services.retry(second.pk)
    with pytest.raises(RuleViolation, match="not failed"):
        services.retry(second.pk)
    assert services.run_batch(second.pk, "w") == "done"
    assert services.follow(job, dispatch=lambda ids: None, poll=0).failed == 0
    job.refresh_from_db()
    assert job.status == JobStatus.FINISHED
    assert sorted(done) == [1, 2, 3]


def test_workers_are_refused_on_sqlite_or_without_a_broker(settings):
    from django.db import connection

    settings.COOPCIS_BROKER_URL = ""
    expected = "PostgreSQL" if connection.vendor != "postgresql" else "COOPCIS_BROKER_URL"
    with pytest.raises(CommandError, match=expected):
        call_command("worker")
    with pytest.raises(CommandError, match=expected):
        call_command("bill-run", "--period", "2026-08", "--workers", "--as", "operator")


def test_jobs_show_names_a_missing_job():
    with pytest.raises(CommandError, match="no job 999"):
        call_command("jobs", "show", "999")


def test_the_jobs_pages_show_batches_workers_and_errors(job, client, django_user_model):
    broken.add(3)
    for number in (1, 3, 3, 3):
        services.run_batch(_batch(job, number).pk, "host-a:41")
    client.force_login(django_user_model.objects.create_superuser("boss", password="x" * 16))

    listing = client.get("/jobs/").content.decode()
    page = client.get(f"/jobs/{job.pk}/").content.decode()

    assert f'href="/jobs/{job.pk}/"' in listing and "1 / 3" in listing
    assert "1 done, 0 being worked on, 1 waiting, 1 failed, of 3" in page
    assert "host-a:41" in page and "OperationalError: server closed the connection" in page
    assert "coopcis jobs retry BATCH" in page


def test_a_pending_batch_whose_message_was_lost_is_queued_again(job):
    # given batch 1 failed on a database error, and its worker died before queuing the retry
    broken.add(1)
    first = _batch(job, 1)
    assert services.run_batch(first.pk, "w1") == "retry"
    broken.clear()
    for number in (2, 3):
        assert services.run_batch(_batch(job, number).pk, "w") == "done"
    sent: list[list[int]] = []

    def dispatch(ids):
        sent.append(ids)
        for batch_id in ids:
            services.run_batch(batch_id, "w2")

    # when the follower sees nothing claimed and nothing moving for a lease (here: at once)
    state = services.follow(job, dispatch=dispatch, poll=0, timeout=5, stalled_after=0)

    # then it queues the stalled batch again, and the job finishes
    assert sent == [[first.pk]]
    assert (state.done, state.failed) == (3, 0)
    assert sorted(done) == [1, 2, 3]


def test_pending_batches_are_not_queued_again_while_a_worker_is_busy(job):
    assert services.claim(_batch(job, 2).pk, "busy")  # a live lease: the job is moving
    sent: list[list[int]] = []

    with pytest.raises(RuleViolation, match="not done after"):
        services.follow(job, dispatch=sent.append, poll=0.01, timeout=0.2, stalled_after=0)

    assert sent == []


entered, release = threading.Event(), threading.Event()


def _slow(params, payload):
    if payload["n"] == 1:
        entered.set()
        release.wait(20)
    return {"n": payload["n"]}


@pytest.mark.django_db(transaction=True)
def test_a_batch_is_claimed_while_another_batch_of_its_job_is_being_done():
    """Two worker processes on one job: the first's work transaction holds its batch (and
    must not hold the job's row, or the second's SKIP LOCKED claim skips every batch)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    entered.clear()
    release.clear()
    register("test-slow", _slow)
    slow_job = services.create_job("test-slow", {}, [{"n": 1}, {"n": 2}], queue="q")
    first, second = slow_job.batches.order_by("number")
    outcomes = {}

    def first_worker():
        try:
            outcomes["first"] = services.run_batch(first.pk, "w1")
        finally:
            connections.close_all()

    thread = threading.Thread(target=first_worker)
    thread.start()
    try:
        assert entered.wait(20)
        assert services.run_batch(second.pk, "w2") == "done"
    finally:
        release.set()
        thread.join(30)
    assert outcomes == {"first": "done"}
    assert services.progress(slow_job).done == 2


def test_the_worker_doing_the_last_batch_settles_the_job_without_a_follower(job):
    settled: list[tuple[int, list[int]]] = []
    register(
        "test-double",
        _handler,
        settle=lambda j: settled.append((j.pk, sorted(r["n"] for r in services.results(j)))),
    )
    broken.add(3)
    for number in (1, 2):
        assert services.run_batch(_batch(job, number).pk, "w") == "done"
        job.refresh_from_db()
        assert job.status == JobStatus.RUNNING and settled == []  # batches still open

    outcomes = [services.run_batch(_batch(job, 3).pk, "w") for _ in range(3)]

    assert outcomes == ["retry", "retry", "failed"]
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.finished_at is not None
    assert settled == []  # a failed job's outcome is not recorded

    broken.clear()
    services.retry(_batch(job, 3).pk)
    assert services.run_batch(_batch(job, 3).pk, "w") == "done"
    job.refresh_from_db()
    assert job.status == JobStatus.FINISHED
    assert settled == [(job.pk, [10, 20, 30])]  # once, with every batch's result
    assert services.run_batch(_batch(job, 3).pk, "w") == "skipped"
    assert len(settled) == 1


def _expire(batch, seconds=1):
    Batch.objects.filter(pk=batch.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=seconds)
    )


def _age(job, seconds):
    """As if nothing had happened to ``job``'s batches for ``seconds``."""
    Batch.objects.filter(job=job).update(changed_at=timezone.now() - timedelta(seconds=seconds))


def _sent_to() -> tuple[list[tuple[str, list[int]]], object]:
    sent: list[tuple[str, list[int]]] = []
    return sent, lambda ids, queue: sent.append((queue, list(ids)))


def test_a_sweep_queues_again_expired_batches_of_any_job_with_no_follower(job, settings):
    settings.COOPCIS_JOBS_LEASE_SECONDS = 60
    other = services.create_job("test-double", {"factor": 1}, [{"n": 7}], queue="q2")
    stranded = [_batch(job, 2), other.batches.get()]
    for batch in stranded:
        assert services.claim(batch.pk, "dead-worker")
    assert services.claim(_batch(job, 3).pk, "live-worker")  # its lease still holds
    sent, dispatch = _sent_to()

    swept = services.sweep(dispatch)

    assert swept.reclaimed == {} and sent == []  # no lease has expired yet
    for batch in stranded:
        _expire(batch)
    swept = services.sweep(dispatch)
    assert swept.reclaimed == {"q": [stranded[0].pk], "q2": [stranded[1].pk]}
    assert swept.requeued == {}  # job still has a live claim; other changed just now
    assert sorted(sent) == [("q", [stranded[0].pk]), ("q2", [stranded[1].pk])]
    assert services.sweep(dispatch).count == 0  # reclaimed once
    for batch in stranded:
        assert services.run_batch(batch.pk, "w2") == "done"
    assert sorted(done) == [2, 7]
    assert _batch(job, 3).status == BatchStatus.CLAIMED


def test_a_sweep_queues_again_the_pending_batches_of_a_stalled_job_once_a_lease(job, settings):
    settings.COOPCIS_JOBS_LEASE_SECONDS = 60
    assert services.run_batch(_batch(job, 1).pk, "w") == "done"
    sent, dispatch = _sent_to()

    assert services.sweep(dispatch).count == 0  # batch 1 was done just now: moving
    _age(job, 59)
    assert services.sweep(dispatch).count == 0  # not yet a lease
    _age(job, 61)
    swept = services.sweep(dispatch)

    pending = [_batch(job, 2).pk, _batch(job, 3).pk]
    assert swept.requeued == {"q": pending} and swept.reclaimed == {}
    assert sent == [("q", pending)]
    assert services.sweep(dispatch).count == 0  # marked queued again: a lease to wait
    _age(job, 61)
    assert services.claim(pending[0], "w")  # a worker on the job: it is not stalled
    assert services.sweep(dispatch).count == 0
    assert services.sweep(dispatch, stalled_after=timedelta(0)).count == 0


def test_a_sweep_leaves_settled_jobs_alone_and_queues_at_once_when_told(job, settings):
    settings.COOPCIS_JOBS_LEASE_SECONDS = 60
    finished = services.create_job("test-double", {"factor": 1}, [{"n": 8}], queue="q3")
    assert services.run_batch(finished.batches.get().pk, "w") == "done"
    failed = services.create_job("test-double", {"factor": 1}, [{"n": 9}], queue="q4")
    broken.add(9)
    while services.run_batch(failed.batches.get().pk, "w") == "retry":
        pass
    sent, dispatch = _sent_to()
    for old in (job, finished, failed):
        _age(old, 3600)

    swept = services.sweep(dispatch, stalled_after=timedelta(0))

    assert swept.requeued == {"q": [b.pk for b in job.batches.order_by("number")]}
    assert sent == [("q", [b.pk for b in job.batches.order_by("number")])]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("held", ["reclaim", "requeue"])
def test_two_sweeps_at_once_queue_each_batch_once(held, settings):
    """One sweep is held between marking its batches and committing: the other, at that
    moment, skips the locked rows; once the first commits, they are no longer due."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    settings.COOPCIS_JOBS_LEASE_SECONDS = 60
    register("test-double", _handler)
    expired_job = services.create_job("test-double", {"factor": 1}, [{"n": 1}], queue="qa")
    stalled_job = services.create_job("test-double", {"factor": 1}, [{"n": 2}], queue="qb")
    stranded = expired_job.batches.get()
    assert services.claim(stranded.pk, "dead-worker")
    _expire(stranded)
    _age(stalled_job, 3600)
    marked, release = threading.Event(), threading.Event()
    first: list[tuple[str, list[int]]] = []

    def hold(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        is_reclaim = '"status"' in sql.split("WHERE")[0]
        if sql.startswith('UPDATE "jobs_batch"') and is_reclaim == (held == "reclaim"):
            marked.set()
            release.wait(20)
        return result

    def first_sweep():
        try:
            with connection.execute_wrapper(hold):
                services.sweep(lambda ids, queue: first.append((queue, list(ids))))
        finally:
            connections.close_all()

    thread = threading.Thread(target=first_sweep)
    thread.start()
    try:
        assert marked.wait(20)
        second, dispatch = _sent_to()
        services.sweep(dispatch)
    finally:
        release.set()
        thread.join(30)
    both = sorted(first + second)
    assert both == [("qa", [stranded.pk]), ("qb", [stalled_job.batches.get().pk])], (first, second)
    # the held sweep sent what it had marked; the other sent the rest
    assert ("qa" if held == "reclaim" else "qb") in {queue for queue, _ in first}


@pytest.mark.django_db(transaction=True)
def test_a_sweep_never_locks_the_batches_of_a_moving_job():
    """A claim skips locked rows: a sweep holding a moving job's pending batches locked
    would make a worker skip one, and acknowledge its message for nothing."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    register("test-double", _handler)
    moving = services.create_job(
        "test-double", {"factor": 1}, [{"n": n} for n in (1, 2, 3)], queue="q"
    )
    first, second, _third = moving.batches.order_by("number")
    assert services.claim(first.pk, "live-worker")
    _age(moving, 3600)  # its pending batches are old: the job is only moving by its claim
    looking, release = threading.Event(), threading.Event()

    def hold(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if '"changed_at" >' in sql and not looking.is_set():  # judging whether it moves
            looking.set()
            release.wait(20)
        return result

    def sweeping():
        try:
            with connection.execute_wrapper(hold):
                services.sweep(lambda ids, queue: None)
        finally:
            connections.close_all()

    thread = threading.Thread(target=sweeping)
    thread.start()
    try:
        assert looking.wait(20)
        claimed = services.claim(second.pk, "w2")  # a worker's claim meanwhile
    finally:
        release.set()
        thread.join(30)
    assert claimed
