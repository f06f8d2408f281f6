"""The background prediction pass: reports in, outages predicted, outside every request.

Intake only records a report (``intake.receive_report``). This pass rolls the window's
reports up to devices (``intake.refresh_predictions``) whenever a report newer than the
latest pass has arrived, or a report of the window is still in no outage (its time was
ahead of the pass that saw it), so an outage is predicted within about one interval
(1 s) plus one pass after the last message of its group. The restoration queue and the
outage maps only read what the latest pass stored.

``coopcis serve`` starts ``coopcis outages predict --follow`` beside the web server and
restarts it if it stops (docs/domain/outages.md, "Prediction in the background"); a
deployment with several web servers runs one ``predict --follow`` of its own and serves
with ``--no-predictor``. Two passes never run at once: each holds the ``PredictionState``
row (on SQLite, the write lock).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, close_old_connections, transaction
from django.db.models import Max
from django.utils import timezone

from coopcis.apps.outages import intake
from coopcis.apps.outages.models import (
    OutageReport,
    OutageStatus,
    PredictionState,
    ReportKind,
)

logger = logging.getLogger("coopcis.outages")

#: Seconds between looks for new reports.
INTERVAL_SECONDS = 1.0
#: Seconds between passes for reports still in no outage when nothing new arrives.
RECHECK_SECONDS = 10
#: The restoration queue warns when the latest pass is older than this while reports
#: wait: the prediction process is not running.
STALE_SECONDS = 30


@dataclass(frozen=True)
class PassResult:
    ran: bool
    latest_report_id: int
    outages_touched: int = 0
    duration_ms: int = 0


def _state() -> PredictionState:
    """The one state row, locked (made on first use)."""
    state = PredictionState.objects.select_for_update().filter(pk=1).first()
    if state is not None:
        return state
    try:
        with transaction.atomic():
            PredictionState.objects.create(pk=1)
    except IntegrityError:
        pass  # another pass made it first
    return PredictionState.objects.select_for_update().get(pk=1)


def _latest_report_id() -> int:
    return int(OutageReport.objects.aggregate(latest=Max("pk"))["latest"] or 0)


def _waiting(now: datetime) -> bool:
    """A report of the window still in no outage (nor a planned one)."""
    return OutageReport.objects.filter(
        kind=ReportKind.OUT,
        planned__isnull=True,
        outage__isnull=True,
        event_at__gte=now - intake.prediction_parameters().window,
    ).exists()


def is_due(now: datetime) -> bool:
    """Whether a pass has anything to do: read-only, so an idle loop takes no write lock.
    Reports that stay in no outage (a meter whose clock runs ahead, a service point
    outside the network) are looked at again every ``RECHECK_SECONDS``, not every second."""
    state = PredictionState.objects.filter(pk=1).values_list("latest_report_id", "finished_at")
    seen, finished_at = state.first() or (0, None)
    if _latest_report_id() != seen:
        return True
    recent = finished_at is not None and (now - finished_at).total_seconds() < RECHECK_SECONDS
    return not recent and _waiting(now)


def run_pass(*, now: datetime | None = None, force: bool = False) -> PassResult:
    """One prediction pass if one is due (or ``force``): the reports of the window ending
    ``now`` (default: the clock) rolled up, the state row stamped."""
    now = now or timezone.now()
    if not force and not is_due(now):
        return PassResult(False, _latest_report_id())
    began = time.perf_counter()
    with transaction.atomic():
        _state()  # made on the first pass: refresh_predictions locks it
    latest = _latest_report_id()  # before reading the window: later reports wait for the next
    touched = intake.refresh_predictions(now)
    duration_ms = round((time.perf_counter() - began) * 1000)
    with transaction.atomic():
        state = _state()
        state.latest_report_id = max(latest, state.latest_report_id)
        state.finished_at = timezone.now()
        state.duration_ms = duration_ms
        state.reports_in_window = OutageReport.objects.filter(
            kind=ReportKind.OUT,
            planned__isnull=True,
            event_at__gte=now - intake.prediction_parameters().window,
            outage__status=OutageStatus.OPEN,
        ).count()
        state.save()
    return PassResult(True, latest, len(touched), duration_ms)


def follow(
    *,
    stop: threading.Event,
    interval: float = INTERVAL_SECONDS,
    parent_pid: int | None = None,
) -> int:
    """Run passes until ``stop`` is set (or the parent process ``parent_pid`` is gone);
    an error in one pass is logged and the next pass tries again. The passes run."""
    passes = 0
    while not stop.is_set():
        if parent_pid is not None and os.getppid() != parent_pid:
            logger.warning("outage prediction: the server that started it is gone; stopping")
            break
        close_old_connections()
        try:
            if run_pass().ran:
                passes += 1
        except Exception:  # a bad pass must not end the loop the dispatchers rely on
            logger.exception("outage prediction pass failed; trying again")
        stop.wait(interval)
    return passes


def latest_pass() -> PredictionState | None:
    return PredictionState.objects.filter(pk=1).first()


def is_stale(state: PredictionState | None, *, now: datetime) -> bool:
    """Reports newer than the latest pass wait, and it is older than ``STALE_SECONDS``:
    the prediction process is not running."""
    if _latest_report_id() == (state.latest_report_id if state else 0):
        return False
    if state is None or state.finished_at is None:
        return True
    return (now - state.finished_at).total_seconds() > STALE_SECONDS
