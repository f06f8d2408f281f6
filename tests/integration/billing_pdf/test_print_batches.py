"""``bills print --workers``, its batches done in this process: batches of whole accounts,
each writing its PDFs and its accounts' statements, a batch done twice writing the same
files, and the follower's manifest the same as the in-process print run's.

The same job on real workers over RabbitMQ: tests/integration/workers/test_print_on_workers.py.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from coopcis.apps.billing.models import Bill
from coopcis.apps.billing.pdf import printing
from coopcis.apps.billing.run import run_billing
from coopcis.apps.jobs import services as jobs
from coopcis.apps.jobs.models import Batch, BatchStatus
from coopcis.core.errors import RuleViolation
from tests.factories import AccountFactory
from tests.integration.billing_pdf.conftest import add_location, pdf_pages

pytestmark = pytest.mark.django_db
PERIOD = "2026-10"


@pytest.fixture
def month(small_coop):
    """October's bills: the home account with two locations, another with three."""
    add_location(small_coop.home, "Well 2, Rio Penasco Rd", 400)
    ranch = AccountFactory(mailing_zip="88317")
    for number in range(3):
        add_location(ranch, f"Pump {number}", 300 + number)
    run_billing(period_label=PERIOD)
    return {"home": small_coop.home, "ranch": ranch}


def _files(folder) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def _print_in_batches(out, *, batch_size: int, twice: int | None = None):
    """Queue the print run as a job and do its batches here, as workers would (batch
    ``twice`` done a second time, as after a worker died before recording it)."""
    job = printing.queue_print(period=PERIOD, out_dir=out, batch_size=batch_size, queue="q")
    for batch in job.batches.order_by("number"):
        assert jobs.run_batch(batch.pk, "w1") == "done"
    if twice is not None:
        batch = job.batches.get(number=twice)
        Batch.objects.filter(pk=batch.pk).update(status=BatchStatus.PENDING)
        assert jobs.run_batch(batch.pk, "w2") == "done"
    return job, printing.finish_print(
        job,
        failed=0,
        out_dir=out,
        manifest_name=f"manifest-{PERIOD}.csv",
        include_paperless=False,
    )


def test_batches_hold_whole_accounts_in_mailing_order(month):
    batches = printing.account_batches(PERIOD, 1)

    assert [bill for batch in batches for bill in batch] == printing.bills_to_print(PERIOD)
    accounts = [
        set(Bill.objects.filter(pk__in=batch).values_list("account_id", flat=True))
        for batch in batches
    ]
    assert all(len(batch_accounts) == 1 for batch_accounts in accounts)
    sizes = {frozenset(a): len(b) for a, b in zip(accounts, batches, strict=True)}
    assert sizes[frozenset({month["home"].pk})] == 2
    assert sizes[frozenset({month["ranch"].pk})] == 3
    # a bigger batch takes whole accounts until it holds at least its size
    assert next(len(batch) for batch in printing.account_batches(PERIOD, 4)) >= 4


@pytest.mark.parametrize("batch_size", [1, 3])
def test_batches_print_what_the_in_process_run_prints(month, tmp_path, batch_size):
    here, batched = tmp_path / "here", tmp_path / "batched"
    call_command("bills", "print", "--period", PERIOD, "--out", str(here), "--processes", "1")

    job, result = _print_in_batches(batched, batch_size=batch_size, twice=2)

    assert _files(batched) == _files(here)  # every PDF byte for byte, and the manifest
    statements = [name for name in _files(batched) if name.startswith("S202610-")]
    assert len(statements) == 2 and len(result.statements) == 2
    assert len(result.printed) == len(printing.bills_to_print(PERIOD))
    assert result.pages == sum(pdf_pages(data) for name, data in _files(batched).items()
                               if name.endswith(".pdf"))  # fmt: skip
    assert job.batches.count() > 1
    assert not list(batched.glob("*.partial"))


def test_a_batch_done_twice_replaces_a_half_written_file(month, tmp_path):
    job, _ = _print_in_batches(tmp_path, batch_size=2)
    first = job.batches.get(number=1)
    name = first.result["printed"][0]["file"]
    whole = (tmp_path / name).read_bytes()
    # a worker killed while writing leaves only its .partial file; the redo replaces it
    (tmp_path / f"{name}.partial").write_bytes(whole[:100])
    (tmp_path / name).unlink()
    Batch.objects.filter(pk=first.pk).update(status=BatchStatus.PENDING)

    assert jobs.run_batch(first.pk, "w2") == "done"

    assert (tmp_path / name).read_bytes() == whole
    assert not list(tmp_path.glob("*.partial"))


def test_a_worker_without_the_output_folder_fails_the_batch_saying_why(month, tmp_path):
    job = printing.queue_print(period=PERIOD, out_dir=tmp_path / "out", batch_size=100, queue="q")
    (tmp_path / "out").rmdir()
    batch = job.batches.get()

    assert jobs.run_batch(batch.pk, "w1") == "failed"

    batch.refresh_from_db()
    assert "is not on this worker's filesystem" in batch.error
    with pytest.raises(RuleViolation, match=r"1 of 1 batches of job \d+ failed"):
        printing.finish_print(
            job, failed=1, out_dir=tmp_path, manifest_name="m.csv", include_paperless=False
        )


def test_workers_are_refused_on_sqlite_or_without_a_broker(month, tmp_path, settings):
    settings.COOPCIS_BROKER_URL = ""
    expected = "workers need PostgreSQL" if connection.vendor == "sqlite" else "no broker"
    with pytest.raises(CommandError, match=expected):
        call_command("bills", "print", "--period", PERIOD, "--out", str(tmp_path), "--workers")
    assert not list(tmp_path.iterdir())


def test_processes_and_workers_are_not_both_given(month, tmp_path):
    with pytest.raises(CommandError, match="--processes is for printing in this process"):
        call_command(
            "bills", "print", "--period", PERIOD, "--out", str(tmp_path), "--workers",
            "--processes", "2",
        )  # fmt: skip
