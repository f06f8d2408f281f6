"""A year's allocation with its patronage summed in batches, as workers do it
(``capital-credits allocate --workers``): the margins split once over every patron, to the
cent, exactly what the allocation in one process posts; a batch done again allocates
nothing twice; a second allocation of the year is still refused.

The batches are done here by :func:`coopcis.apps.jobs.services.run_batch`, as a worker
does them; tests/integration/workers/ runs real workers on RabbitMQ."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from coopcis.apps.capital_credits.distributed import finish_allocation, queue_allocation
from coopcis.apps.capital_credits.models import Allocation, CapitalCredit
from coopcis.apps.jobs import services
from coopcis.apps.jobs.models import Batch, BatchStatus, JobStatus
from coopcis.apps.ledger.models import JournalEntry
from coopcis.core.errors import RuleViolation
from tests.integration.capital_credits.test_allocation import year_2025  # noqa: F401

pytestmark = pytest.mark.django_db

ALLOCATED = {
    "year": 2025,
    "pool": "operating",
    "total": "1234.56",
    "patrons": [
        {"account": "3000001", "patronage": "1000.00", "amount": "308.63"},
        {"account": "3000002", "patronage": "2500.00", "amount": "771.58"},
        {"account": "3000003", "patronage": "500.10", "amount": "154.35"},
    ],
}


def _queue():
    return queue_allocation(
        year=2025,
        margins=Decimal("1234.56"),
        pool="operating",
        on=date(2026, 3, 2),
        batch_size=1,
        queue="q",
        operator="operator",
    )


def test_patronage_in_batches_is_split_once_over_every_patron(year_2025):  # noqa: F811
    # given one account a batch: a split per batch would give each patron the whole pool
    job = _queue()
    batches = list(job.batches.order_by("-number").values_list("pk", flat=True))
    assert len(batches) == 5
    for batch in batches[:-1]:
        assert services.run_batch(batch, "w") == "done"
    assert not Allocation.objects.exists()  # nothing posted before the last batch

    assert services.run_batch(batches[-1], "w") == "done"

    # the same allocation as in one process (test_allocation): the cent left over to the
    # largest remainder of all the patrons, whichever batch summed them
    result = finish_allocation(job, services.progress(job))
    assert result.as_json() == ALLOCATED
    allocation = Allocation.objects.get()
    assert (allocation.created_by, allocation.total_patronage) == ("operator", Decimal("4000.10"))
    job.refresh_from_db()
    assert job.status == JobStatus.FINISHED and job.params["allocation"] == allocation.pk

    # a batch done again (after `coopcis jobs retry`) allocates nothing twice
    entries = JournalEntry.objects.count()
    Batch.objects.filter(pk=batches[0]).update(status=BatchStatus.FAILED)
    services.retry(batches[0])
    assert services.run_batch(batches[0], "w2") == "done"
    assert (Allocation.objects.count(), CapitalCredit.objects.count()) == (1, 3)
    assert JournalEntry.objects.count() == entries
    assert finish_allocation(job, services.progress(job)).as_json() == ALLOCATED

    # and a second allocation of the year is refused before anything is queued
    with pytest.raises(RuleViolation, match=r"already allocated.*bylaws art\. VIII sec\. 2"):
        _queue()


def test_of_two_allocations_queued_at_once_the_second_is_refused(year_2025):  # noqa: F811
    first, second = _queue(), _queue()
    for job in (first, second):
        for batch in job.batches.values_list("pk", flat=True):
            services.run_batch(batch, "w")
    assert finish_allocation(first, services.progress(first)).as_json() == ALLOCATED
    with pytest.raises(RuleViolation, match=r"already allocated.*bylaws art\. VIII sec\. 2"):
        finish_allocation(second, services.progress(second))
    assert (Allocation.objects.count(), CapitalCredit.objects.count()) == (1, 3)


def test_workers_are_refused_on_sqlite_or_without_a_broker_and_with_a_dry_run(settings):
    settings.COOPCIS_BROKER_URL = ""
    expected = "PostgreSQL" if connection.vendor != "postgresql" else "COOPCIS_BROKER_URL"
    allocate = ("capital-credits", "allocate", "--year", "2025", "--margins", "100.00")
    with pytest.raises(CommandError, match=expected):
        call_command(*allocate, "--workers", "--as", "operator")
    with pytest.raises(CommandError, match="dry run runs in this process"):
        call_command(*allocate, "--workers", "--dry-run", "--as", "operator")
