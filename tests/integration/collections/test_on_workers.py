"""The collections run in batches as workers do it (``collections run --workers``): the
same report and rows as the run in one process, and a batch done twice does nothing twice.

The batches are done here by :func:`coopcis.apps.jobs.services.run_batch`, as a worker
does them, in reverse order; tests/integration/workers/ runs real workers on RabbitMQ."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from coopcis.apps.billing.run import run_billing
from coopcis.apps.collections.distributed import finish_collections, queue_collections
from coopcis.apps.collections.models import CollectionCase, Notice, ServiceOrder
from coopcis.apps.collections.run import run_collections
from coopcis.apps.jobs import services
from coopcis.apps.jobs.models import Batch, BatchStatus

pytestmark = pytest.mark.django_db

#: second notices, disconnect notices, final contacts, disconnect orders (test_scenario)
DAYS = (date(2026, 10, 31), date(2026, 11, 11), date(2026, 11, 27), date(2026, 11, 30))


@pytest.fixture
def unpaid(small_coop):
    """October billed and nobody paid: every billed account goes through collection."""
    run_billing(period_label="2026-10")
    return small_coop


def _rows() -> dict[str, list]:
    return {
        "notices": sorted(
            Notice.objects.values_list(
                "account__number", "kind", "round", "sent_on", "amount", "disconnect_on"
            )
        ),
        "orders": sorted(
            ServiceOrder.objects.values_list(
                "account__number", "kind", "reason", "status", "created_on", "scheduled_on"
            )
        ),
        "cases": sorted(
            CollectionCase.objects.values_list(
                "account__number", "stage", "round", "past_due_amount", "next_step", "next_step_on"
            )
        ),
    }


def _on_workers(day: date) -> tuple[dict, list[int]]:
    report, job = queue_collections(as_of=day, batch_size=2, queue="q")
    assert job is not None
    batches = list(job.batches.order_by("-number").values_list("pk", flat=True))
    for batch in batches:
        assert services.run_batch(batch, "w") == "done"
    return finish_collections(report, job, services.progress(job)).as_json(), batches


def test_batches_on_workers_do_what_the_run_in_one_process_does(unpaid):
    expected = []
    with transaction.atomic():
        for day in DAYS:
            expected.append((run_collections(as_of=day).as_json(), _rows()))
        transaction.set_rollback(True)
    assert not Notice.objects.exists()
    worked = set()
    for day, (report, rows) in zip(DAYS, expected, strict=True):
        got, batches = _on_workers(day)
        assert (got, _rows()) == (report, rows), day
        worked.add(len(batches))
    assert max(worked) > 1  # the cases were in several batches
    assert expected[-1][0]["counts"]["disconnect_orders"] >= 2
    assert {kind for _, kind, *_ in expected[-1][1]["notices"]} >= {"SECOND", "DISCONNECT"}


def test_a_batch_done_twice_sends_no_notice_and_orders_no_disconnection_twice(unpaid):
    for day in DAYS:
        _on_workers(day)
    before = _rows()
    report, job = queue_collections(as_of=DAYS[-1], batch_size=2, queue="q")
    for batch in job.batches.all():
        services.run_batch(batch.pk, "w")
    # every batch of the day done again, as after `coopcis jobs retry`
    Batch.objects.filter(job=job).update(status=BatchStatus.FAILED)
    for batch in job.batches.all():
        services.retry(batch.pk)
        assert services.run_batch(batch.pk, "w2") == "done"
        batch.refresh_from_db()
        assert all(numbers == [] for numbers in batch.result["accounts"].values())
    assert _rows() == before
    assert (
        finish_collections(report, job, services.progress(job)).as_json()["counts"][
            "disconnect_orders"
        ]
        == 0
    )


def test_workers_are_refused_on_sqlite_or_without_a_broker_and_with_a_dry_run(settings):
    settings.COOPCIS_BROKER_URL = ""
    expected = "PostgreSQL" if connection.vendor != "postgresql" else "COOPCIS_BROKER_URL"
    run = ("collections", "run", "--as-of", "2026-11-02", "--workers", "--as", "operator")
    with pytest.raises(CommandError, match=expected):
        call_command(*run)
    with pytest.raises(CommandError, match="dry run runs in this process"):
        call_command(*run, "--dry-run")
