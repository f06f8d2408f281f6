"""Reports are only recorded by the API; the background prediction pass puts them in
outages, within its bound, and the restoration queue only reads what it stored."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, connection
from django.test import Client, override_settings
from django.utils import timezone

from coopcis.apps.outages import predictor
from coopcis.apps.outages.models import Outage, OutageReport, PredictionState
from tests.integration.backoffice.factories import staff_user
from tests.integration.outages.small_network import build_network

AMI_KEY = "ami-test-key-0123456789"
#: The issue's bound: an outage predicted within 5 s of the last message of its group.
BOUND_SECONDS = 5.0


def last_gasp(client: Client, number: int, meter: str) -> None:
    at = (timezone.now() - timedelta(seconds=5)).isoformat()
    answer = client.post(
        "/api/v1/outages/ami",
        data={"message_id": f"m{number}", "meter": meter, "event": "last_gasp", "at": at},
        content_type="application/json",
        headers={"Authorization": f"Bearer {AMI_KEY}"},
    )
    assert answer.status_code == 201, answer.content


@pytest.mark.django_db
@override_settings(COOPCIS_AMI_KEY=AMI_KEY)
def test_intake_only_records_and_one_pass_predicts_once(tmp_path):
    build_network(tmp_path)
    client = Client()
    last_gasp(client, 1, "M-SP-A")
    last_gasp(client, 2, "M-SP-B")
    # the requests predicted nothing: the pass does
    assert not Outage.objects.exists()
    assert OutageReport.objects.filter(outage__isnull=True).count() == 2
    assert predictor.is_due(timezone.now())

    result = predictor.run_pass()

    # SP-A and SP-B are both of R1's 2 (recloser 30 %); SUB-1 has 2 of 12 (17 % < 30 %)
    [outage] = Outage.objects.all()
    assert (outage.device_code, outage.affected, outage.reported) == ("R1", 2, 2)
    assert (result.ran, result.outages_touched) == (True, 1)
    state = PredictionState.objects.get()
    assert state.latest_report_id == OutageReport.objects.latest("pk").pk
    assert state.reports_in_window == 2
    placed = OutageReport.objects.values_list("predicted_at", flat=True)
    assert all(at is not None and at >= state.finished_at - timedelta(seconds=60) for at in placed)
    # nothing new: no pass, and a forced one changes nothing
    assert predictor.run_pass().ran is False
    assert predictor.run_pass(force=True).outages_touched == 0
    assert Outage.objects.count() == 1


@pytest.mark.django_db
@override_settings(COOPCIS_AMI_KEY=AMI_KEY)
def test_the_queue_page_reads_only_and_warns_when_the_pass_stopped(tmp_path):
    build_network(tmp_path)
    client = Client()
    last_gasp(client, 1, "M-SP-A")
    last_gasp(client, 2, "M-SP-B")
    staff = Client()
    staff.force_login(staff_user("read_only", username="ro"))
    page = staff.get("/outages/").content.decode()
    assert not Outage.objects.exists()  # opening the queue predicted nothing
    assert "No prediction pass has run yet." in page
    assert 'id="prediction-stale"' in page  # reports wait and no pass ever ran

    predictor.run_pass()
    page = staff.get("/outages/").content.decode()
    assert "R1 (recloser)" in page and 'id="prediction-stale"' not in page
    assert "Predictions as of" in page

    # a new report, and the latest pass 31 s old: the dispatcher is told
    PredictionState.objects.update(finished_at=timezone.now() - timedelta(seconds=31))
    last_gasp(client, 3, "M-SP-M")
    assert 'id="prediction-stale"' in staff.get("/outages/").content.decode()


@pytest.mark.django_db
def test_the_command_runs_one_pass_and_refuses_a_bad_interval(tmp_path, capsys):
    build_network(tmp_path)
    call_command("outages", "predict")
    assert "prediction pass: 0 outages changed" in capsys.readouterr().out
    with pytest.raises(CommandError, match="--interval must be over 0"):
        call_command("outages", "predict", "--follow", "--interval", "0")


@pytest.mark.django_db(transaction=True)
@override_settings(COOPCIS_AMI_KEY=AMI_KEY)
def test_the_background_loop_predicts_within_its_bound(tmp_path):
    """The loop `coopcis serve` runs, in a thread of its own with its own connection:
    hand-made reports arrive; the recloser's outage appears well inside 5 seconds.

    The reports are sent just before the loop starts: the test database on SQLite is
    in memory with a shared cache, where a write beside another connection's read fails
    at once instead of waiting (a file database, as served, waits)."""
    build_network(tmp_path)
    client = Client()
    last_gasp(client, 1, "M-SP-A")
    last_gasp(client, 2, "M-SP-B")
    last_message_at = time.monotonic()
    stop = threading.Event()

    def loop() -> None:
        try:
            predictor.follow(stop=stop, interval=0.2)
        finally:
            connection.close()

    worker = threading.Thread(target=loop, daemon=True)
    worker.start()
    try:
        waited = None
        while time.monotonic() - last_message_at < 2 * BOUND_SECONDS:
            try:
                outage = Outage.objects.filter(device_code="R1", reported=2).first()
            except OperationalError:  # the shared-cache table lock (see above)
                outage = None
            if outage is not None:
                waited = time.monotonic() - last_message_at
                break
            time.sleep(0.05)
    finally:
        stop.set()
        worker.join(timeout=10)

    assert waited is not None and waited < BOUND_SECONDS, waited
    assert not worker.is_alive()
    assert outage.affected == 2
    for received_at, predicted_at in OutageReport.objects.values_list(
        "received_at", "predicted_at"
    ):
        assert (predicted_at - received_at).total_seconds() < BOUND_SECONDS
