"""``coopcis worker [--concurrency N] [--queues Q,...]``: a Celery worker for batch jobs."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import CommandParser

from coopcis.apps.jobs.broker import app, broker_url, default_queue, sweep_in_workers
from coopcis.core.errors import RuleViolation
from coopcis.site.commands import CoopCommand


class Command(CoopCommand):
    help = (
        "Start a worker that does the batches of jobs queued with --workers (bill-run, "
        "bills print, rate study): needs PostgreSQL and COOPCIS_BROKER_URL (RabbitMQ). Runs "
        "until stopped. Every half lease it also queues again the batches of any job whose "
        "lease expired (their worker died) and the pending batches of stalled jobs (their "
        "messages were lost)."
    )
    #: the worker does what an operator queued (the job records who)
    read_only = True

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--concurrency", type=int, default=1, help="worker processes")
        parser.add_argument(
            "--queues", help="comma-separated queues to take batches from (COOPCIS_JOBS_QUEUE)"
        )
        parser.add_argument("--pool", choices=("prefork", "solo", "threads"), default="prefork")
        parser.add_argument("--loglevel", default="INFO")

    def run(self, *args: Any, **options: Any) -> None:
        if options["concurrency"] < 1:
            raise RuleViolation("must be at least 1", field="concurrency")
        broker_url()
        queues = options["queues"] or default_queue()
        pool = (
            "solo"
            if options["concurrency"] == 1 and options["pool"] == "prefork"
            else options["pool"]
        )
        sweep_in_workers()
        app.worker_main(
            [
                "worker",
                f"--concurrency={options['concurrency']}",
                f"--queues={queues}",
                f"--pool={pool}",
                f"--loglevel={options['loglevel']}",
                # a node name of its own: two workers named alike on one machine (Celery's
                # default, celery@host) fight over one remote-control queue and the second
                # stops with RESOURCE_LOCKED
                f"--hostname=coopcis-{os.getpid()}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ]
        )
