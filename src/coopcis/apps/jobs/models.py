"""Batch jobs run by workers: a job is a list of batches, each a row a worker claims.

The database, not the broker, says what is done (docs/adr/0007-workers.md): a worker
claims a batch with a lease (``SELECT ... FOR UPDATE SKIP LOCKED``), then does its work
and records the batch as done in one transaction that holds the batch's row locked.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class JobStatus(models.TextChoices):
    RUNNING = "RUNNING", "Running"
    FINISHED = "FINISHED", "Finished"
    FAILED = "FAILED", "Failed"


class BatchStatus(models.TextChoices):
    PENDING = "PENDING", "Pending"
    CLAIMED = "CLAIMED", "Claimed"
    DONE = "DONE", "Done"
    FAILED = "FAILED", "Failed"


class Job(models.Model):
    """One run of a batch job (``kind``: the handler, e.g. ``bill-run``)."""

    kind = models.CharField(max_length=40)
    params = models.JSONField(default=dict)
    queue = models.CharField(max_length=120)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.RUNNING)
    operator = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"job {self.pk} {self.kind}"


class Batch(models.Model):
    """A batch of a job: claimed by one worker at a time, done exactly once."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="batches")
    number = models.PositiveIntegerField()
    payload = models.JSONField(default=dict)
    size = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=10, choices=BatchStatus.choices, default=BatchStatus.PENDING
    )
    worker = models.CharField(max_length=200, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    result = models.JSONField(default=dict)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: When the batch was last claimed, done, failed, made pending or queued again: a
    #: running job none of whose batches is claimed or changed for a lease has stalled
    #: (its messages were lost), and any worker's sweep queues its pending batches again.
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["job", "number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "number"], name="jobs_batch_job_number_unique")
        ]
        indexes = [models.Index(fields=["status", "lease_expires_at"])]

    def __str__(self) -> str:
        return f"batch {self.job_id}/{self.number}"
