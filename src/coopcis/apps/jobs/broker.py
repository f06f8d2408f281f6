"""The Celery application: RabbitMQ carries batch ids, PostgreSQL says what is done.

Configured so that a message is only a hint to do a batch (docs/adr/0007-workers.md):
acknowledged after the task ran (``task_acks_late``), given back if the worker process is
lost (``task_reject_on_worker_lost``), one message at a time per process
(``worker_prefetch_multiplier = 1``), and a task time limit well under RabbitMQ's
``consumer_timeout`` (30 minutes by default), so the broker never takes a message back from
a live worker. Whatever it delivers twice, :func:`coopcis.apps.jobs.services.run_batch`
does a batch once.

Each ``coopcis worker`` also sweeps (:class:`Sweeper`, a thread started when the worker is
ready): every half lease it queues again the batches whose lease expired and the pending
batches of stalled jobs, of any job, so a job finishes with no follower alive.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from celery import Celery
from django.conf import settings

from coopcis.core.errors import RuleViolation

if TYPE_CHECKING:
    from coopcis.apps.jobs.models import Job
    from coopcis.apps.jobs.services import Progress, Sweep

logger = logging.getLogger("coopcis.jobs")

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


def sweep(*, now: bool = False) -> Sweep:
    """One sweep (:func:`coopcis.apps.jobs.services.sweep`), sending what it queues again
    to each batch's job's queue; ``now``: a job with nothing claimed counts as stalled
    at once, without waiting a lease (an operator after a broker restart)."""
    from datetime import timedelta

    from coopcis.apps.jobs.services import sweep as sweep_batches

    broker_url()
    return sweep_batches(dispatch, stalled_after=timedelta(0) if now else None)


class Sweeper(threading.Thread):
    """A worker's sweep: once when the worker is ready, then every ``every`` seconds
    (half a lease), until the worker shuts down.

    A thread of the worker's main process rather than Celery beat or a periodic task: it
    needs no schedule file or single beat process, runs whatever the pool (a solo pool's
    event loop is blocked while a batch runs, and its timers with it), and goes away with
    its worker. It has its own database connection (Django's are per thread). A failed
    sweep (database or broker away) is logged and tried again next time; the thread never
    dies of it."""

    def __init__(self, every: float) -> None:
        super().__init__(name="coopcis-sweeper", daemon=True)
        self.every = every
        self.stopping = threading.Event()

    def run(self) -> None:
        from django.db import connections

        try:
            while True:
                try:
                    found = sweep()
                    if found.count:
                        logger.warning(
                            "queued again: batches whose lease expired %s, pending batches "
                            "of stalled jobs %s",
                            found.reclaimed,
                            found.requeued,
                        )
                except Exception:
                    logger.exception("sweep failed; trying again in %.0f s", self.every)
                    connections.close_all()  # this thread's: a fresh one next time
                if self.stopping.wait(self.every):
                    return
        finally:
            connections.close_all()

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=self.every + 10)


_sweepers: list[Sweeper] = []


def start_sweeping(**_: Any) -> None:
    """``worker_ready``: start the worker's sweep, every half lease."""
    from coopcis.apps.jobs.services import lease

    if _sweepers:
        return
    sweeper = Sweeper(max(lease().total_seconds() / 2, 0.5))
    _sweepers.append(sweeper)
    sweeper.start()


def stop_sweeping(**_: Any) -> None:
    """``worker_shutdown``: stop the worker's sweep."""
    while _sweepers:
        _sweepers.pop().stop()


def sweep_in_workers() -> None:
    """Make the workers this process starts sweep (``coopcis worker`` calls it)."""
    from celery.signals import worker_ready, worker_shutdown

    worker_ready.connect(start_sweeping, weak=False)
    worker_shutdown.connect(stop_sweeping, weak=False)


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
