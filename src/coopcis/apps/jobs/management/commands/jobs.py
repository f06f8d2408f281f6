"""``coopcis jobs list|show JOB|retry BATCH|reclaim``: batch jobs run by workers, and
their batches."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandParser

from coopcis.apps.jobs import services
from coopcis.apps.jobs.broker import dispatch, sweep
from coopcis.apps.jobs.models import Job
from coopcis.core.errors import RuleViolation
from coopcis.site.commands import CoopCommand


def job_json(job: Job, *, batches: bool) -> dict[str, Any]:
    state = services.progress(job)
    data: dict[str, Any] = {
        "job": job.pk,
        "kind": job.kind,
        "params": job.params,
        "queue": job.queue,
        "status": job.status,
        "operator": job.operator,
        "created_at": job.created_at.isoformat(),
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "batches": state.total,
        "done": state.done,
        "failed": state.failed,
        "pending": state.pending,
        "claimed": state.claimed,
    }
    if batches:
        data["batch_rows"] = [
            {
                "batch": batch.pk,
                "number": batch.number,
                "size": batch.size,
                "status": batch.status,
                "worker": batch.worker,
                "attempts": batch.attempts,
                "lease_expires_at": (
                    batch.lease_expires_at.isoformat() if batch.lease_expires_at else None
                ),
                "error": batch.error.splitlines()[0] if batch.error else "",
                "result": batch.result,
            }
            for batch in job.batches.all()  # type: ignore[attr-defined]
        ]
    return data


class Command(CoopCommand):
    help = (
        "Batch jobs run by workers: list them, show one's batches, retry a failed batch, "
        "queue again the batches of dead workers and lost messages (reclaim)."
    )
    read_only_actions = frozenset({"list", "show"})

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        listing = actions.add_parser("list", help="the latest jobs, newest first")
        listing.add_argument("--limit", type=int, default=20)
        listing.add_argument("--json", action="store_true")
        show = actions.add_parser("show", help="a job and its batches")
        show.add_argument("job", type=int)
        show.add_argument("--json", action="store_true")
        again = actions.add_parser("retry", help="queue a failed batch again, alone")
        again.add_argument("batch", type=int)
        reclaim = actions.add_parser(
            "reclaim",
            help="queue again, on their job's queue, the batches whose lease expired (their "
            "worker died) and the pending batches of running jobs nothing has moved for a "
            "lease (their messages were lost): what every worker does each half lease",
        )
        reclaim.add_argument(
            "--now",
            action="store_true",
            help="do not wait a lease: queue again the pending batches of every running job "
            "no worker is on (after a broker restart lost the queue)",
        )
        reclaim.add_argument("--json", action="store_true")

    def run(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            jobs = [job_json(job, batches=False) for job in Job.objects.all()[: options["limit"]]]
            if options["json"]:
                self.stdout.write(json.dumps({"jobs": jobs}))
                return
            if not jobs:
                self.stdout.write("No job yet (`coopcis bill-run --period P --workers`).")
            for job in jobs:
                self.stdout.write(
                    f"{job['job']:>5} {job['kind']:<10} {job['status']:<9} "
                    f"{job['done']}/{job['batches']} batches done, {job['failed']} failed  "
                    f"{json.dumps(job['params'], sort_keys=True)}"
                )
            return
        if action == "show":
            job = Job.objects.filter(pk=options["job"]).first()
            if job is None:
                raise RuleViolation(f"no job {options['job']}", field="job")
            data = job_json(job, batches=True)
            if options["json"]:
                self.stdout.write(json.dumps(data))
                return
            self.stdout.write(
                f"Job {job.pk} {job.kind} {job.status}: {data['done']}/{data['batches']} "
                f"batches done, {data['failed']} failed, queue {job.queue}"
            )
            for row in data["batch_rows"]:
                self.stdout.write(
                    f"  batch {row['batch']:>6} #{row['number']:<4} {row['status']:<8} "
                    f"size {row['size']:<5} attempts {row['attempts']} "
                    f"{row['worker'] or '-'} {row['error']}"
                )
            return
        if action == "reclaim":
            found = sweep(now=options["now"])
            if options["json"]:
                self.stdout.write(
                    json.dumps({"reclaimed": found.reclaimed, "requeued": found.requeued})
                )
                return
            reclaimed = sum(map(len, found.reclaimed.values()))
            requeued = sum(map(len, found.requeued.values()))
            self.stdout.write(
                f"Queued again: {reclaimed} batch(es) whose lease expired, {requeued} pending "
                f"batch(es) of stalled jobs."
            )
            for label, by_queue in (("expired", found.reclaimed), ("stalled", found.requeued)):
                for queue, ids in sorted(by_queue.items()):
                    self.stdout.write(f"  {label} on {queue}: {', '.join(map(str, ids))}")
            return
        batch = services.retry(options["batch"])
        dispatch([batch.pk], batch.job.queue)
        self.stdout.write(f"Batch {batch.pk} of job {batch.job_id} queued again.")
