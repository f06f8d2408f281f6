"""Claiming, doing, reclaiming and retrying batches: exactly once, by the database.

A worker claims a batch in a short transaction (``SELECT ... FOR UPDATE SKIP LOCKED``:
a pending batch, or a claimed one whose lease has expired), which records the worker, the
lease's expiry and the attempt. It then does the batch in a second transaction that locks
the batch's row, checks that the claim is still its own, runs the handler and records the
batch as done: the batch's work and its completion commit together or not at all. A
worker killed midway leaves the claim, whose lease expires; :func:`reclaim_expired` makes
the batch pending again, skipping rows locked by a live worker. Every worker calls it
through :func:`sweep` each half lease (and the follower each poll), so a job whose
follower and a worker both died still finishes; the sweep also queues again the pending
batches of a job that stalled (:func:`stalled_batches`: their messages were lost).
The worker whose batch is the job's last to settle (done or failed) records the job
FINISHED or FAILED in that same transaction (:func:`_settle`), so a job settles even when
its follower died.
Whatever the broker delivers twice, a batch is done once (docs/adr/0007-workers.md).
"""

from __future__ import annotations

import os
import socket
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from coopcis.apps.jobs.handlers import handler_for, settler_for
from coopcis.apps.jobs.models import Batch, BatchStatus, Job, JobStatus
from coopcis.core.errors import RuleViolation

#: A batch that failed this many times stays FAILED until ``coopcis jobs retry``.
MAX_ATTEMPTS = 3


def lease() -> timedelta:
    return timedelta(seconds=settings.COOPCIS_JOBS_LEASE_SECONDS)


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def create_job(
    kind: str,
    params: dict[str, Any],
    payloads: Iterable[dict[str, Any]],
    *,
    queue: str,
    operator: str = "",
) -> Job:
    """A job and its batches, all pending (``size``: the payload's ``ids`` when it has some)."""
    handler_for(kind)  # refuse a kind no app handles before queuing anything
    with transaction.atomic():
        job = Job.objects.create(kind=kind, params=params, queue=queue, operator=operator)
        Batch.objects.bulk_create(
            Batch(job=job, number=number, payload=payload, size=len(payload.get("ids", ())))
            for number, payload in enumerate(payloads, start=1)
        )
    return job


def claim(batch_id: int, worker: str) -> bool:
    """Claim the batch for ``worker`` if it is pending or its lease has expired."""
    now = timezone.now()
    with transaction.atomic():
        batch = (
            # of=("self",) and no ordering: ordering by job would join and lock the job's
            # row, which the worker doing another batch of the job holds, and SKIP LOCKED
            # would then skip every other batch of the job (lost until the job is re-run)
            Batch.objects.select_for_update(skip_locked=True, of=("self",))
            .order_by()
            .filter(pk=batch_id)
            .filter(
                Q(status=BatchStatus.PENDING)
                | Q(status=BatchStatus.CLAIMED, lease_expires_at__lt=now)
            )
            .first()
        )
        if batch is None:
            return False
        batch.status = BatchStatus.CLAIMED
        batch.worker = worker
        batch.lease_expires_at = now + lease()
        batch.attempts += 1
        batch.changed_at = now
        batch.save(update_fields=["status", "worker", "lease_expires_at", "attempts", "changed_at"])
    return True


class QueryTimer:
    """Where a batch's time goes: the seconds spent waiting on the database (each query
    from sending it to its rows fetched, as the worker sees it) and their count; the rest of
    the batch's time is the worker's own (rating, building rows)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.queries = 0

    def __call__(
        self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += 1

    def summary(self, total: float) -> dict[str, float | int]:
        return {
            "seconds": round(total, 3),
            "db_seconds": round(self.seconds, 3),
            "queries": self.queries,
        }


def run_batch(batch_id: int, worker: str | None = None) -> str:
    """Claim and do one batch. ``done``; ``skipped`` (done already, or claimed by a live
    worker: the broker delivered it twice); ``retry`` (failed, attempts left) or ``failed``."""
    worker = worker or worker_id()
    if not claim(batch_id, worker):
        return "skipped"
    try:
        with transaction.atomic():
            batch = (
                Batch.objects.select_for_update(of=("self",)).select_related("job").get(pk=batch_id)
            )
            if batch.status != BatchStatus.CLAIMED or batch.worker != worker:
                return "skipped"  # the lease expired and another worker has it
            timer = QueryTimer()
            started = time.perf_counter()
            with connection.execute_wrapper(timer):
                result = handler_for(batch.job.kind)(batch.job.params, batch.payload)
            batch.status = BatchStatus.DONE
            batch.result = {**result, "timing": timer.summary(time.perf_counter() - started)}
            batch.error = ""
            batch.lease_expires_at = None
            batch.finished_at = batch.changed_at = timezone.now()
            batch.save()
            _settle(batch.job_id)
    except Exception as error:  # recorded on the batch, shown to staff
        detail = f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=8)}"
        with transaction.atomic():
            batch = Batch.objects.select_for_update().get(pk=batch_id)
            if batch.worker != worker or batch.status != BatchStatus.CLAIMED:
                return "skipped"
            again = batch.attempts < MAX_ATTEMPTS and isinstance(error, DatabaseError)
            batch.status = BatchStatus.PENDING if again else BatchStatus.FAILED
            batch.error = detail[:4000]
            batch.lease_expires_at = None
            batch.changed_at = timezone.now()
            batch.save(update_fields=["status", "error", "lease_expires_at", "changed_at"])
            if not again:
                _settle(batch.job_id)
        return "retry" if again else "failed"
    return "done"


def _settle(job_id: int) -> None:
    """In the transaction that records a batch done or failed: if no batch of the job is
    left pending or claimed, record the job FINISHED (after its kind's settler recorded
    the outcome) or FAILED. The job's row is locked first, so of two workers finishing
    the last two batches at once the second waits, then sees both (a statement after a
    lock wait reads what committed meanwhile) and settles the job: exactly one does."""
    job = Job.objects.select_for_update(no_key=True).get(pk=job_id)
    if job.status != JobStatus.RUNNING:
        return
    statuses = set(Batch.objects.filter(job_id=job_id).values_list("status", flat=True))
    if statuses & {BatchStatus.PENDING, BatchStatus.CLAIMED}:
        return
    if BatchStatus.FAILED in statuses:
        job.status = JobStatus.FAILED
    else:
        settle = settler_for(job.kind)
        if settle is not None:
            settle(job)
        job.status = JobStatus.FINISHED
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "finished_at"])


def reclaim_expired(job: Job | None = None) -> list[int]:
    """Make claimed batches whose lease expired pending again (their worker died): of
    ``job``, or of any job (``None``: a worker's sweep). Rows a live worker holds locked
    are skipped, and so are rows another sweep is reclaiming at that moment: of two sweeps
    at once, each batch is reclaimed by one. Their ids, to queue again."""
    now = timezone.now()
    with transaction.atomic():
        expired = (
            Batch.objects.select_for_update(skip_locked=True, of=("self",))
            .order_by()
            .filter(status=BatchStatus.CLAIMED, lease_expires_at__lt=now)
        )
        if job is not None:
            expired = expired.filter(job=job)
        ids = list(expired.values_list("pk", flat=True))
        Batch.objects.filter(pk__in=ids).update(
            status=BatchStatus.PENDING, lease_expires_at=None, changed_at=now
        )
    return ids


def retry(batch_id: int) -> Batch:
    """Queue a failed batch again, alone (``coopcis jobs retry``)."""
    batch = Batch.objects.select_related("job").filter(pk=batch_id).first()
    if batch is None:
        raise RuleViolation(f"no batch {batch_id}", field="batch")
    if batch.status != BatchStatus.FAILED:
        raise RuleViolation(
            f"batch {batch_id} is {batch.status.lower()}, not failed: nothing to retry",
            field="batch",
        )
    with transaction.atomic():
        Batch.objects.filter(pk=batch_id).update(
            status=BatchStatus.PENDING, attempts=0, changed_at=timezone.now()
        )
        Job.objects.filter(pk=batch.job_id).update(status=JobStatus.RUNNING, finished_at=None)
    return batch


@dataclass(frozen=True)
class Progress:
    total: int
    done: int
    failed: int
    pending: int
    claimed: int
    done_size: int

    @property
    def settled(self) -> bool:
        return self.done + self.failed == self.total


def progress(job: Job) -> Progress:
    counts = dict(
        job.batches.values_list("status").annotate(n=Count("pk")).values_list("status", "n")  # type: ignore[attr-defined]
    )
    done_size = sum(
        job.batches.filter(status=BatchStatus.DONE).values_list("size", flat=True)  # type: ignore[attr-defined]
    )
    return Progress(
        total=sum(counts.values()),
        done=counts.get(BatchStatus.DONE, 0),
        failed=counts.get(BatchStatus.FAILED, 0),
        pending=counts.get(BatchStatus.PENDING, 0),
        claimed=counts.get(BatchStatus.CLAIMED, 0),
        done_size=done_size,
    )


def follow(
    job: Job,
    *,
    dispatch: Callable[[list[int]], None],
    on_progress: Callable[[Progress], None] | None = None,
    poll: float = 0.25,
    timeout: float | None = None,
    stalled_after: float | None = None,
) -> Progress:
    """Wait until every batch of ``job`` is done or failed, queuing again the batches whose
    lease expired, and the pending ones when the job has stalled (nothing claimed, nothing
    changed for ``stalled_after`` seconds, a lease by default: their messages were lost);
    the job is then recorded FINISHED (or FAILED, if a batch failed)."""
    started = time.monotonic()
    stalled = lease().total_seconds() if stalled_after is None else stalled_after
    seen: tuple[int, ...] = ()
    changed_at = started
    while True:
        again = reclaim_expired(job)
        if again:
            dispatch(again)
        state = progress(job)
        now = time.monotonic()
        if (state.done, state.failed, state.claimed, state.pending) != seen:
            seen, changed_at = (state.done, state.failed, state.claimed, state.pending), now
        elif state.pending and not state.claimed and now - changed_at >= stalled:
            changed_at = now
            dispatch(lost_batches(job))
            state = progress(job)
        if on_progress:
            on_progress(state)
        if state.settled:
            break
        if timeout is not None and now - started > timeout:
            raise RuleViolation(
                f"job {job.pk} is not done after {timeout:.0f} s: are workers running on "
                f"queue {job.queue!r}? (`coopcis worker --queues {job.queue}`)",
                field="workers",
            )
        time.sleep(poll)
    # the worker that did the last batch has recorded the job; this only records a job
    # whose batches settled before it was, e.g. by an older worker
    status = JobStatus.FINISHED if state.failed == 0 else JobStatus.FAILED
    Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
        status=status, finished_at=timezone.now()
    )
    return state


def lost_batches(job: Job) -> list[int]:
    """The job's pending batches, to queue again when no worker has taken any of them for
    a lease: a retry's message that was never sent (its worker died first), or messages a
    broker restart lost. A batch queued twice is still done once."""
    return list(
        job.batches.filter(status=BatchStatus.PENDING)
        .order_by("number")
        .values_list("pk", flat=True)  # type: ignore[attr-defined]
    )


def stalled_batches(job_id: int, *, stalled_after: timedelta | None = None) -> list[int]:
    """The pending batches of a running job that has stalled, marked as queued again now:
    none of its batches claimed, and none claimed, done, failed, made pending or queued
    again for ``stalled_after`` (a lease by default). Their messages were lost (a broker
    restart, a retry whose worker died before queuing it); the caller queues them again.

    A job that is moving is only read, never locked: a worker's claim skips locked rows
    (``SKIP LOCKED``) and would take a locked batch for one a live worker is doing,
    acknowledging its message for nothing. Only a job found stalled has its pending
    batches locked, looked at again and marked changed, in one transaction. So two
    sweeps at once queue them once: a sweep that finds them locked takes none, and one
    after it finds them changed less than a lease ago. Whatever slips through (a claim
    at that moment) is a second message for a batch, which its worker skips
    (:func:`run_batch`)."""
    now = timezone.now()
    cutoff = now - (lease() if stalled_after is None else stalled_after)
    moving = Batch.objects.filter(job_id=job_id).filter(
        Q(status=BatchStatus.CLAIMED) | Q(changed_at__gt=cutoff)
    )
    if moving.exists():
        return []
    with transaction.atomic():
        pending = (
            Batch.objects.select_for_update(skip_locked=True, of=("self",))
            .order_by()
            .filter(
                job_id=job_id,
                job__status=JobStatus.RUNNING,
                status=BatchStatus.PENDING,
                changed_at__lte=cutoff,
            )
        )
        ids = sorted(pending.values_list("pk", flat=True))
        if not ids or moving.exists():
            return []
        Batch.objects.filter(pk__in=ids).update(changed_at=now)
    return ids


@dataclass(frozen=True)
class Sweep:
    """What a sweep queued again, by queue: batches whose lease expired, and pending
    batches of stalled jobs."""

    reclaimed: dict[str, list[int]]
    requeued: dict[str, list[int]]

    @property
    def count(self) -> int:
        return sum(map(len, self.reclaimed.values())) + sum(map(len, self.requeued.values()))


def sweep(
    dispatch: Callable[[list[int], str], None], *, stalled_after: timedelta | None = None
) -> Sweep:
    """What each worker does every half lease, and ``coopcis jobs reclaim`` by hand, with
    no follower needed: make the batches of any job whose lease expired pending again and
    queue them on their job's queue (``dispatch(ids, queue)``), then queue again the
    pending batches of every running job that has stalled (:func:`stalled_batches`).

    The database is changed before anything is sent: if sending fails (the broker is
    down), the batches are pending and unchanged for a lease, so a later sweep finds their
    job stalled and queues them then."""
    reclaimed: dict[str, list[int]] = {}
    again = reclaim_expired(None)
    for batch_id, queue in (
        Batch.objects.filter(pk__in=again).order_by("pk").values_list("pk", "job__queue")
    ):
        reclaimed.setdefault(queue, []).append(batch_id)
    for queue, ids in reclaimed.items():
        dispatch(ids, queue)

    cutoff = timezone.now() - (lease() if stalled_after is None else stalled_after)
    candidates = (
        Job.objects.filter(
            status=JobStatus.RUNNING,
            batches__status=BatchStatus.PENDING,
            batches__changed_at__lte=cutoff,
        )
        .order_by("pk")
        .values_list("pk", "queue")
        .distinct()
    )
    requeued: dict[str, list[int]] = {}
    for job_id, queue in list(candidates):
        ids = stalled_batches(job_id, stalled_after=stalled_after)
        if ids:
            requeued.setdefault(queue, []).extend(ids)
            dispatch(ids, queue)
    return Sweep(reclaimed=reclaimed, requeued=requeued)


def results(job: Job) -> list[dict[str, Any]]:
    """The done batches' results, in batch order: the followers that merge them (the
    print manifest, the rate study's bills) rely on it."""
    return list(
        job.batches.filter(status=BatchStatus.DONE)  # type: ignore[attr-defined]
        .order_by("number")
        .values_list("result", flat=True)
    )
