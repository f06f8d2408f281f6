"""Eight submitters send the same payment with the same Idempotency-Key at the same
moment: one payment, one journal entry, and every submitter gets the same answer.

PostgreSQL only: Django's SQLite test database is in memory with a shared cache, where
a second writer gets "database table is locked" at once instead of waiting its turn, so
the race cannot be staged there (the file database in production SQLite waits).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.utils import timezone

from coopcis.apps.ledger.models import EntryKind, JournalEntry
from coopcis.apps.ledger.services import member_balance
from coopcis.apps.payments.models import Payment, PaymentRequest
from coopcis.apps.payments.services import receive_payment
from tests.integration.payments_api.conftest import front_end

SUBMITTERS = 8
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite's shared-cache test database refuses concurrent "
    "writers ('table is locked') instead of making them wait",
)
pytestmark = [
    pytest.mark.postgres_only,
    postgres_only,
    pytest.mark.django_db(transaction=True),
]


def all_at_once(work: Callable[[], Any]) -> list[Any]:
    """Run ``work`` in SUBMITTERS threads released together; results or exceptions."""
    barrier = threading.Barrier(SUBMITTERS)
    results: list[Any] = [None] * SUBMITTERS

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work()
        except Exception as error:  # reported below, with the others' results
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(SUBMITTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_the_same_key_from_eight_submitters_posts_once(small_coop):
    kiosk = front_end("KIOSK", "Tularosa Travel Center")
    home = small_coop.home
    body = {"account": home.number, "amount": "54.20", "tender": "CASH"}

    def submit() -> tuple[int, dict[str, Any]]:
        response = Client().post(
            "/api/v1/payments",
            data=body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {kiosk.key}", "Idempotency-Key": "race-1"},
        )
        return response.status_code, response.json()

    results = all_at_once(submit)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(status for status, _ in results) == [200] * (SUBMITTERS - 1) + [201]
    answers = [answer for _, answer in results]
    assert all(answer == answers[0] for answer in answers)  # the same body for everyone
    assert Payment.objects.count() == 1 and PaymentRequest.objects.count() == 1
    assert JournalEntry.objects.filter(kind=EntryKind.PAYMENT).count() == 1
    assert member_balance(home) == Decimal("-54.20")


def test_receive_payment_from_eight_threads_records_one_payment(small_coop):
    home = small_coop.home

    def receive() -> bool:
        return receive_payment(
            account=home,
            amount=Decimal("25.00"),
            channel="IVR",
            tender="CARD",
            received_on=timezone.localdate(),
            reference="auth 7781",
            idempotency_key="ivr-race-7781",
        ).created

    results = all_at_once(receive)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(results) == [False] * (SUBMITTERS - 1) + [True]
    assert Payment.objects.count() == 1
    assert JournalEntry.objects.filter(kind=EntryKind.PAYMENT).count() == 1
    assert member_balance(home) == Decimal("-25.00")
