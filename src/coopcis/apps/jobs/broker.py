"""The Celery application: RabbitMQ carries batch ids, PostgreSQL says what is done.

Configured so that a message is only a hint to do a batch (docs/adr/0007-workers.md):
acknowledged after the task ran (``task_acks_late``), given back if the worker process is
lost (``task_reject_on_worker_lost``), one message at a time per process
(``worker_prefetch_multiplier = 1``), and a task time limit well under RabbitMQ's
``consumer_timeout`` (30 minutes by default), so the broker never takes a message back from
a live worker. Whatever it delivers twice, :func:`coopcis.apps.jobs.services.run_batch`
does a batch once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from celery import Celery
from django.conf import settings

from coopcis.core.errors import RuleViolation

if TYPE_CHECKING:
    from coopcis.apps.jobs.models import Job
    from coopcis.apps.jobs.services import Progress

TASK = "coopcis.jobs.run_batch"
#: Seconds a task may run (a batch of 500 bills takes about half a second).
TASK_TIME_LIMIT = 600
TASK_SOFT_TIME_LIMIT = 540

app = Celery("coopcis")
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_time_limit=TASK_TIME_LIMIT,
    task_soft_time_limit=TASK_SOFT_TIME_LIMIT,
    task_serializer="json",
    accept_content=["json"],
    result_backend=None,
    task_ignore_result=True,
    broker_connection_retry_on_startup=True,
    worker_hijack_root_logger=False,
    worker_send_task_events=False,
    # a message unacknowledged when its connection drops is redelivered at once by
    # RabbitMQ; the visibility timeout only matters to brokers without that (Redis, SQS)
    broker_transport_options={"visibility_timeout": TASK_TIME_LIMIT * 2},
)


def broker_url() -> str:
    """The broker, or one readable line why workers cannot be used here."""
    from django.db import connection

    if connection.vendor != "postgresql":
        raise RuleViolation(
            "workers need PostgreSQL (COOPCIS_DATABASE_URL=postgresql://...); on SQLite "
            "everything runs in this process: leave out --workers",
            field="workers",
        )
    url: str = settings.COOPCIS_BROKER_URL
    if not url:
        raise RuleViolation(
            "no broker: set COOPCIS_BROKER_URL (e.g. amqp://guest:guest@127.0.0.1:5672//)",
            field="workers",
        )
    app.conf.broker_url = url
    return url


def default_queue() -> str:
    queue: str = settings.COOPCIS_JOBS_QUEUE
    return queue


def dispatch(batch_ids: list[int], queue: str) -> None:
    broker_url()
    with app.producer_or_acquire() as producer:
        for batch_id in batch_ids:
            app.send_task(TASK, args=[batch_id], queue=queue, producer=producer)


@app.task(name=TASK, bind=True, acks_late=True, reject_on_worker_lost=True)
def run_batch_task(self: Any, batch_id: int) -> str:
    from coopcis.apps.jobs.services import run_batch, worker_id

    outcome = run_batch(batch_id, f"{self.request.hostname or ''}/{worker_id()}"[:200])
    if outcome == "retry":
        dispatch([batch_id], self.request.delivery_info.get("routing_key") or default_queue())
    return outcome


def run_on_workers(
    job: Job,
    *,
    progress: Callable[[int], None] | None = None,
    on_state: Callable[[Progress], None] | None = None,
    timeout: float | None = None,
) -> Progress:
    """Queue a job's batches (made by :func:`coopcis.apps.jobs.services.create_job`) and
    follow them until each is done or failed: what every ``--workers`` command does.

    ``progress`` gets the number of items (the batches' ``size``) done since its last call,
    for a progress bar; ``on_state`` gets the job's state at each poll (a heartbeat). The
    caller reads the batches' results (``services.results``) and refuses a job with failed
    batches as its command sees fit."""
    from coopcis.apps.jobs.services import follow

    broker_url()
    dispatch(list(job.batches.values_list("pk", flat=True)), job.queue)  # type: ignore[attr-defined]
    shown = [0]

    def beat(state: Progress) -> None:
        if on_state is not None:
            on_state(state)
        if progress is not None and state.done_size > shown[0]:
            progress(state.done_size - shown[0])
            shown[0] = state.done_size

    return follow(
        job, dispatch=lambda ids: dispatch(ids, job.queue), on_progress=beat, timeout=timeout
    )
