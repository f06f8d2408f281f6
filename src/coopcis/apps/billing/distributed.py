"""``bill-run --workers``: the bill run's batches as a job that workers do.

The follower (the ``bill-run`` process) records the run as :func:`run_billing` does,
splits its accounts into the same batches, queues them as a job
(:mod:`coopcis.apps.jobs`) and waits for them, beating the run's heartbeat. Each worker
bills a batch with :class:`BillBatch` in the transaction that records the batch as done;
the bills' unique index still refuses a second bill, whatever runs twice. The worker
that does the run's last batch records the run finished (:func:`settle_bill_run`, in that
batch's transaction), so a run whose follower died still finishes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from coopcis.apps.billing.models import BillRun, RunStatus
from coopcis.apps.billing.run import (
    BillBatch,
    RunResult,
    _with_retry,
    already_billed,
    finish_run,
    rider_factors,
    start_run,
)
from coopcis.apps.jobs import services as jobs
from coopcis.apps.jobs.models import Job
from coopcis.core.errors import RuleViolation
from coopcis.core.periods import Period

KIND = "bill-run"


def bill_batch(params: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """One batch of a bill run, on a worker (the jobs app's handler for ``bill-run``)."""
    run = BillRun.objects.get(pk=params["run"])
    today = date.fromisoformat(params["today"]) if params.get("today") else None
    batch = BillBatch(run, Period.parse_month(run.period), rider_factors(run.period), today)
    batch.heartbeat = False
    outcome = _with_retry(batch, list(payload["ids"]))
    return {
        "billed": outcome.billed,
        "held": outcome.held,
        "skipped": outcome.skipped,
        "total": f"{outcome.total:.2f}",
    }


def queue_bill_run(
    *,
    period_label: str,
    cycle: int | None,
    batch_size: int,
    today: date | None,
    queue: str,
    operator: str = "",
) -> tuple[BillRun, Job, list[int]]:
    """Record the run and its batches as a job, none of them queued yet: the run, the job
    and the run's accounts (the follower dispatches them; the simulation does them itself)."""
    month = Period.parse_month(period_label)
    if today is not None and month.start > today:
        raise RuleViolation(
            f"{period_label} has not begun (today is {today}): a month is billed once its "
            "meters are read",
            field="period",
        )
    run, account_ids, _factors = start_run(period_label, cycle)
    payloads = [
        {"ids": account_ids[offset : offset + batch_size]}
        for offset in range(0, len(account_ids), batch_size)
    ]
    params = {"run": run.pk, "period": period_label, "cycle": cycle}
    params["today"] = today.isoformat() if today else None
    job = jobs.create_job(KIND, params, payloads, queue=queue, operator=operator)
    return run, job, account_ids


def _counts(run: BillRun, job: Job) -> RunResult:
    """The run's counts: the sum of its done batches' results."""
    result = RunResult(period=run.period, run_id=run.pk)
    for outcome in jobs.results(job):
        result.billed += outcome["billed"]
        result.held += outcome["held"]
        result.skipped += outcome["skipped"]
        result.total_amount += Decimal(outcome["total"])
    return result


def _account_ids(job: Job) -> list[int]:
    payloads = job.batches.order_by("number").values_list("payload", flat=True)  # type: ignore[attr-defined]
    return [account for payload in payloads for account in payload["ids"]]


def settle_bill_run(job: Job) -> None:
    """The jobs app's settler for ``bill-run``: on the worker that did the last batch, in
    its transaction, record the run finished (as the follower would, had it lived)."""
    run = BillRun.objects.select_for_update().get(pk=job.params["run"])
    if run.status != RunStatus.FINISHED:
        finish_run(run, _counts(run, job), _account_ids(job))


def finish_bill_run(
    run: BillRun, job: Job, account_ids: list[int], state: jobs.Progress, started: float
) -> RunResult:
    """Add up the done batches' counts and record the run finished (unless the worker that
    did the last batch has); refused (the run stays unfinished) while a batch is failed."""
    result = _counts(run, job)
    if state.failed:
        raise RuleViolation(
            f"{state.failed} of {state.total} batches of job {job.pk} failed: see "
            f"`coopcis jobs show {job.pk}`, then `coopcis jobs retry BATCH` and run again",
            field="workers",
        )
    result.seconds = time.perf_counter() - started
    if BillRun.objects.filter(pk=run.pk, status=RunStatus.FINISHED).exists():
        result.already_billed = already_billed(run, account_ids)
        run.status = RunStatus.FINISHED
    else:
        finish_run(run, result, account_ids)
    return result


def run_billing_on_workers(
    *,
    period_label: str,
    cycle: int | None = None,
    batch_size: int,
    today: date | None,
    operator: str = "",
    queue: str | None = None,
    progress: Callable[[int], None] | None = None,
    timeout: float | None = None,
) -> RunResult:
    """Bill the month as :func:`coopcis.apps.billing.run.run_billing` does, on workers."""
    from coopcis.apps.jobs.broker import broker_url, default_queue, run_on_workers

    broker_url()
    started = time.perf_counter()
    run, job, account_ids = queue_bill_run(
        period_label=period_label,
        cycle=cycle,
        batch_size=batch_size,
        today=today,
        queue=queue or default_queue(),
        operator=operator,
    )

    def beat(state: jobs.Progress) -> None:
        BillRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())

    state = run_on_workers(job, progress=progress, on_state=beat, timeout=timeout)
    return finish_bill_run(run, job, account_ids, state, started)
