"""``capital-credits allocate --workers``: the year's patronage summed by workers, the
margins split and posted once.

The costly part of an allocation is the patronage: sums over a year of bills (or of the
ledger's revenue lines) for every account. The follower (the ``allocate`` process) checks
what :func:`allocate_year` checks first (the pool, the margins, the date, a year and pool
allocated once), then splits the accounts into batches queued as a job
(:mod:`coopcis.apps.jobs`); a worker sums a batch's patronage (:func:`year_patronage` over
its accounts alone) and returns it as its result.

The largest-remainder split needs every patron at once: split per batch, each batch's
rounding would leave or create cents, and the pool would not be allocated to the cent. So
the split and the posting are done once, over the patronage of all the batches, by the
job's *settler* (:func:`settle_allocation`), in the transaction of the job's last batch
(docs/adr/0007-workers.md says why there rather than in the follower): the last batch's
patronage, the allocation, each patron's credit, the journal entry and the job's note of
its allocation commit together or not at all, exactly once (the jobs app locks the job's
row; a job that noted its allocation posts nothing again; a year and pool's unique
constraint refuses a second allocation), even if the follower died. The follower then
reads its job's allocation back and prints it as the in-process allocation does.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from coopcis.apps.capital_credits.allocate import (
    AllocationResult,
    allocation_result,
    check_allocation,
    no_patronage,
    post_allocation,
)
from coopcis.apps.capital_credits.models import Allocation
from coopcis.apps.capital_credits.params import rules
from coopcis.apps.capital_credits.patronage import year_patronage
from coopcis.apps.jobs import services as jobs
from coopcis.apps.jobs.models import Batch, BatchStatus, Job
from coopcis.apps.members.models import Account
from coopcis.core.errors import RuleViolation

KIND = "capital-credits-allocate"
#: Accounts whose patronage one batch sums.
ACCOUNTS_PER_BATCH = 2000


def patronage_batch(params: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """One batch's patronage, on a worker (account id -> the exact decimal, as text)."""
    found = year_patronage(params["year"], basis=params["basis"], accounts=payload["ids"])
    return {"patronage": {str(account): str(value) for account, value in found.items()}}


def job_patronage(job: Job) -> dict[int, Decimal]:
    """Every patron's patronage: the job's batches' together (each account in one batch)."""
    patronage: dict[int, Decimal] = {}
    for result in jobs.results(job):
        for account, value in result["patronage"].items():
            patronage[int(account)] = Decimal(value)
    return patronage


def settle_allocation(job: Job) -> None:
    """The jobs app's settler for the kind: split the margins over all the patrons and
    post them, once, in the last batch's transaction, and note the allocation on the job.
    A job that posted its allocation posts nothing again (a batch of it done again, e.g.
    retried by hand); another's allocation of the year and pool refuses it (bylaws). A
    year without patronage allocates nothing (the follower says so)."""
    params = job.params
    if params.get("allocation") is not None:
        return
    patronage = job_patronage(job)
    if not patronage:
        return
    result = post_allocation(
        year=params["year"],
        margins=Decimal(params["margins"]),
        pool=params["pool"],
        on=date.fromisoformat(params["on"]),
        basis=params["basis"],
        patronage=patronage,
        created_by=job.operator,
    )
    job.params = params | {"allocation": result.allocation.pk}
    Job.objects.filter(pk=job.pk).update(params=job.params)


def _failure(job: Job) -> str:
    """The first line of a failed batch's error (a refusal's one readable line)."""
    error = (
        Batch.objects.filter(job=job, status=BatchStatus.FAILED)
        .order_by("number")
        .values_list("error", flat=True)
        .first()
    )
    first = (error or "").splitlines()[0] if error else ""
    return first.split(": ", 1)[-1]


def queue_allocation(
    *,
    year: int,
    margins: Decimal,
    pool: str,
    on: date,
    batch_size: int,
    queue: str,
    operator: str = "",
) -> Job:
    """Check the allocation as :func:`allocate_year` does and record every account's
    patronage in batches as a job, none queued yet."""
    if batch_size < 1:
        raise RuleViolation("must be at least 1", field="batch-size")
    check_allocation(year=year, margins=margins, pool=pool, on=on)
    ids = list(Account.objects.order_by("pk").values_list("pk", flat=True))
    params = {
        "year": year,
        "margins": f"{margins}",
        "pool": pool,
        "on": on.isoformat(),
        "basis": rules().basis,
    }
    return jobs.create_job(
        KIND,
        params,
        ({"ids": ids[offset : offset + batch_size]} for offset in range(0, len(ids), batch_size)),
        queue=queue,
        operator=operator,
    )


def finish_allocation(job: Job, state: jobs.Progress) -> AllocationResult:
    """The job's allocation, read back as the in-process allocation returns it."""
    if state.failed:
        raise RuleViolation(
            f"{state.failed} of {state.total} batches of job {job.pk} failed, nothing was "
            f"allocated by it: {_failure(job)} (see `coopcis jobs show {job.pk}`)",
            field="workers",
        )
    job.refresh_from_db(fields=["params"])
    if job.params.get("allocation") is None:
        raise no_patronage(job.params["year"])
    return allocation_result(Allocation.objects.get(pk=job.params["allocation"]))


def allocate_on_workers(
    *,
    year: int,
    margins: Decimal,
    pool: str,
    on: date,
    batch_size: int = ACCOUNTS_PER_BATCH,
    operator: str = "",
    queue: str | None = None,
    progress: Callable[[int], None] | None = None,
    total: Callable[[int], None] | None = None,
    timeout: float | None = None,
) -> AllocationResult:
    """Allocate as :func:`coopcis.apps.capital_credits.allocate.allocate_year` does, the
    patronage summed on workers. ``total`` is told how many accounts are queued."""
    from coopcis.apps.jobs.broker import broker_url, default_queue, run_on_workers

    broker_url()
    job = queue_allocation(
        year=year,
        margins=margins,
        pool=pool,
        on=on,
        batch_size=batch_size,
        queue=queue or default_queue(),
        operator=operator,
    )
    if total is not None:
        total(sum(job.batches.values_list("size", flat=True)))  # type: ignore[attr-defined]
    state = run_on_workers(job, progress=progress, timeout=timeout)
    return finish_allocation(job, state)
