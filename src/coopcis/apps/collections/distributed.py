"""``collections run --workers``: the day's open cases in batches that workers do.

The follower (the ``collections run`` process) does what the run does once, as
:func:`run_collections` does: it cancels the disconnect orders payments overtook, judges
agreements and opens the new cases (:func:`begin_run`); the ``--as-of`` checks are the
command's. It then splits the open cases, in the order the in-process run works them,
into batches queued as a job (:mod:`coopcis.apps.jobs`). A worker works a batch's cases
with :func:`work_cases`, reading what they need for that batch alone, in the transaction
that records the batch as done: its notices, orders and case changes commit with the
batch's completion or not at all. Each batch's result is its share of the run's report;
the follower adds them up, so the report is the in-process run's.

Exactly once: a batch is done once (the jobs app's claim and lease); a batch's cases done
again anyway (the same day's run again, a batch re-queued by hand) find their notices and
orders made (notices are unique per case, kind and round; disconnect orders per case,
kind and day, one open per case and kind) and send, order and email nothing twice (the
third party's email has an idempotency key per case and round). Nothing is left to record
once the last batch is done (the collections run keeps no run record), so there is no
settler: a job whose follower died still has each batch's notices committed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from coopcis.apps.collections.run import RunReport, begin_run, open_case_ids, work_cases
from coopcis.apps.jobs import services as jobs
from coopcis.apps.jobs.models import Job
from coopcis.core.errors import RuleViolation

KIND = "collections-run"


def collect_batch(params: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """One batch of the day's cases, on a worker (the jobs app's handler for its kind)."""
    as_of = date.fromisoformat(params["as_of"])
    report = RunReport(as_of)
    work_cases(as_of, report, list(payload["ids"]))
    return report.partial()


def queue_collections(
    *, as_of: date, batch_size: int, queue: str, operator: str = ""
) -> tuple[RunReport, Job | None]:
    """Do what the run does once and record its open cases' batches as a job, none queued
    yet: the report so far and the job (None when no case is open)."""
    if batch_size < 1:
        raise RuleViolation("must be at least 1", field="batch-size")
    report = begin_run(as_of)
    ids = open_case_ids()
    if not ids:
        return report, None
    job = jobs.create_job(
        KIND,
        {"as_of": as_of.isoformat()},
        ({"ids": ids[offset : offset + batch_size]} for offset in range(0, len(ids), batch_size)),
        queue=queue,
        operator=operator,
    )
    return report, job


def finish_collections(report: RunReport, job: Job, state: jobs.Progress) -> RunReport:
    """The run's report: what the follower did and each batch's share; refused while a
    batch is failed (the other batches' notices and orders stand)."""
    if state.failed:
        raise RuleViolation(
            f"{state.failed} of {state.total} batches of job {job.pk} failed (the others' "
            f"notices and orders are made): see `coopcis jobs show {job.pk}`, then `coopcis "
            "jobs retry BATCH`, or run the day again",
            field="workers",
        )
    for part in jobs.results(job):
        report.merge(part)
    return report


def run_collections_on_workers(
    *,
    as_of: date,
    batch_size: int,
    operator: str = "",
    queue: str | None = None,
    progress: Callable[[int], None] | None = None,
    total: Callable[[int], None] | None = None,
    timeout: float | None = None,
) -> RunReport:
    """The daily job as :func:`coopcis.apps.collections.run.run_collections` does it, its
    cases on workers. ``total`` is told how many cases are queued (for a progress bar)."""
    from coopcis.apps.jobs.broker import broker_url, default_queue, run_on_workers

    broker_url()
    report, job = queue_collections(
        as_of=as_of, batch_size=batch_size, queue=queue or default_queue(), operator=operator
    )
    if job is None:
        return report
    if total is not None:
        total(sum(job.batches.values_list("size", flat=True)))  # type: ignore[attr-defined]
    state = run_on_workers(job, progress=progress, timeout=timeout)
    return finish_collections(report, job, state)
