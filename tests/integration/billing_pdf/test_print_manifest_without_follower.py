"""``bills print --workers`` with no follower left: the worker that does the job's last
batch writes the manifest, the same bytes as the in-process print run's; a batch that
fails leaves no manifest. (With real workers and a SIGKILLed follower:
tests/integration/workers/test_print_follower_killed.py.)"""

from __future__ import annotations

import pytest
from django.core.management import call_command

from coopcis.apps.billing.pdf import printing
from coopcis.apps.jobs import services as jobs
from coopcis.apps.jobs.models import Batch, BatchStatus, JobStatus
from tests.integration.billing_pdf.test_print_batches import PERIOD, _files, month  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_worker_doing_the_last_batch_writes_the_manifest(month, tmp_path):  # noqa: F811
    here, there = tmp_path / "here", tmp_path / "there"
    call_command(
        "bills", "print", "--period", PERIOD, "--out", str(here), "--processes", "1",
        "--include-paperless",
    )  # fmt: skip
    job = printing.queue_print(
        period=PERIOD, out_dir=there, batch_size=1, queue="q", include_paperless=True
    )
    batches = list(job.batches.order_by("-number"))  # the last batch of the mailing first
    assert len(batches) > 2
    for batch in batches[:-1]:
        assert jobs.run_batch(batch.pk, "w1") == "done"
        assert not (there / f"manifest-{PERIOD}.csv").exists()  # not before the last batch

    assert jobs.run_batch(batches[-1].pk, "w2") == "done"

    job.refresh_from_db()
    assert job.status == JobStatus.FINISHED
    assert _files(there) == _files(here)  # the manifest too, in mailing order
    assert not list(there.glob("*.partial"))


def test_no_manifest_while_a_batch_failed(month, tmp_path):  # noqa: F811
    job = printing.queue_print(period=PERIOD, out_dir=tmp_path, batch_size=1, queue="q")
    first, *rest = job.batches.order_by("number")
    Batch.objects.filter(pk=first.pk).update(status=BatchStatus.FAILED)
    for batch in rest:
        assert jobs.run_batch(batch.pk, "w1") == "done"

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert not list(tmp_path.glob("manifest-*"))


def test_printing_again_picks_up_the_finished_job_while_its_files_are_there(month, tmp_path):  # noqa: F811
    out = tmp_path / "out"
    job = printing.queue_print(period=PERIOD, out_dir=out, batch_size=2, queue="q")
    for batch in job.batches.order_by("number"):
        assert jobs.run_batch(batch.pk, "w1") == "done"

    assert printing._same_print(PERIOD, out) == job
    assert printing._same_print(PERIOD, tmp_path / "elsewhere") is None
    next(out.glob("*.pdf")).unlink()  # the files were moved: render them again
    assert printing._same_print(PERIOD, out) is None
