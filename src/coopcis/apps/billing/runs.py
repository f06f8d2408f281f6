"""Bill runs and their state: running, finished, or interrupted and finished by a later run.

A run's batches commit on their own, so a run killed midway leaves a ``RUNNING`` row that
no process will ever finish. It is shown as ``INTERRUPTED`` as soon as that is known: the
process that ran it (``host``, ``pid``) is gone when looked at from the same machine, or
the run has committed nothing for :data:`STALE_AFTER` when looked at from another one. The
next run of the same month bills what it left (bills are unique per service point and
month) and, when it finishes, is recorded as the one that finished it.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from coopcis.apps.billing.models import BillRun, BillStatus, RunStatus

#: A run on another machine that has committed no batch for this long is taken as dead
#: (a batch of 500 accounts takes about half a second).
STALE_AFTER = timedelta(minutes=15)


def this_process() -> tuple[str, int]:
    return socket.gethostname()[:255], os.getpid()


def _process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        return False
    return False


def is_abandoned(run: BillRun, *, now: datetime) -> bool:
    """A ``RUNNING`` run that no process is working on any more."""
    if run.status != RunStatus.RUNNING:
        return False
    host, pid = this_process()
    if run.pid is not None and run.host == host:
        return run.pid != pid and _process_gone(run.pid)
    latest = run.heartbeat_at or run.started_at
    return now - latest > STALE_AFTER


def mark_abandoned_runs(*, now: datetime) -> list[int]:
    """Record as ``INTERRUPTED`` every running run whose process is gone; their ids."""
    gone = [
        run.pk
        for run in BillRun.objects.filter(status=RunStatus.RUNNING)
        if is_abandoned(run, now=now)
    ]
    BillRun.objects.filter(pk__in=gone, status=RunStatus.RUNNING).update(
        status=RunStatus.INTERRUPTED
    )
    return gone


def record_finished_by(run: BillRun) -> int:
    """``run`` has finished: interrupted runs of its month that it covered are finished by
    it (a run of every cycle covers a cycle's run; a cycle's run covers only its own)."""
    covered = Q() if run.cycle is None else Q(cycle=run.cycle)
    return (
        BillRun.objects.filter(
            covered, period=run.period, status=RunStatus.INTERRUPTED, finished_by__isnull=True
        )
        .exclude(pk=run.pk)
        .update(finished_by=run)
    )


@dataclass(frozen=True)
class RunRow:
    """A bill run as ``coopcis billing runs`` shows it (counts from the bills themselves
    for a run that did not finish)."""

    run_id: int
    period: str
    cycle: int | None
    status: str
    started_at: datetime
    finished_at: datetime | None
    billed: int
    held: int
    skipped: int
    total_amount: Decimal
    finished_by: int | None

    def as_json(self) -> dict[str, object]:
        return {
            "run": self.run_id,
            "period": self.period,
            "cycle": self.cycle,
            "status": self.status,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "billed": self.billed,
            "held": self.held,
            "skipped": self.skipped,
            "total_amount": f"{self.total_amount:.2f}",
            "finished_by": self.finished_by,
        }


def list_runs(*, period: str | None = None, limit: int = 50) -> list[RunRow]:
    """The latest runs, newest first, each with its state as of now."""
    now = timezone.now()
    runs = BillRun.objects.order_by("-pk")
    if period:
        runs = runs.filter(period=period)
    rows = []
    for run in runs[:limit]:
        status = RunStatus.INTERRUPTED if is_abandoned(run, now=now) else run.status
        if run.status != RunStatus.FINISHED:  # its counters are written when it finishes
            _count_bills(run)
        rows.append(
            RunRow(
                run_id=run.pk,
                period=run.period,
                cycle=run.cycle,
                status=status,
                started_at=run.started_at,
                finished_at=run.finished_at,
                billed=run.billed,
                held=run.held,
                skipped=run.skipped,
                total_amount=run.total_amount,
                finished_by=run.finished_by_id,
            )
        )
    return rows


def _count_bills(run: BillRun) -> None:
    """What an unfinished run has committed so far, from its bills and issues."""
    counts = run.bills.aggregate(  # type: ignore[attr-defined]
        posted=Count("pk", filter=Q(status=BillStatus.POSTED)),
        held=Count("pk", filter=Q(status=BillStatus.HELD)),
        total=Sum("total_amount", filter=Q(status=BillStatus.POSTED)),
    )
    run.billed, run.held = counts["posted"], counts["held"]
    run.total_amount = counts["total"] or Decimal("0.00")
    run.skipped = run.issues.count()  # type: ignore[attr-defined]
