"""The bulk writers behind the bill run and the lockbox path, on SQLite and PostgreSQL."""

from datetime import date
from decimal import Decimal

import pytest

from coopcis.apps.receivables.models import ItemStatus, ReceivableItem
from coopcis.site.bulk import insert_rows, reserve_ids, update_rows
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def _items(count: int) -> list[int]:
    account = AccountFactory()
    ids = reserve_ids(ReceivableItem, count)
    insert_rows(
        ReceivableItem,
        ["id", "account_id", "category", "description", "amount", "posted_on", "due_on"],
        [
            (
                pk,
                account.pk,
                "ELECTRIC",
                f"bill {n}",
                Decimal("10.00") + n,
                date(2026, 10, 1),
                date(2026, 10, 20),
            )
            for n, pk in enumerate(ids)
        ],
    )
    return ids


def test_insert_rows_fills_defaults_and_reserved_ids_are_used():
    ids = _items(3)
    rows = ReceivableItem.objects.filter(pk__in=ids).order_by("pk")
    assert [row.pk for row in rows] == ids
    assert [row.amount for row in rows] == [Decimal("10.00"), Decimal("11.00"), Decimal("12.00")]
    assert {(row.paid_amount, row.status) for row in rows} == {(Decimal("0.00"), ItemStatus.OPEN)}
    assert reserve_ids(ReceivableItem, 1)[0] > ids[-1]


def test_update_rows_changes_only_the_rows_named():
    first, second, third = _items(3)
    update_rows(
        ReceivableItem,
        ["paid_amount", "status"],
        [(Decimal("10.00"), ItemStatus.PAID, first), (Decimal("4.35"), ItemStatus.OPEN, third)],
    )
    got = {
        row.pk: (row.paid_amount, row.status)
        for row in ReceivableItem.objects.filter(pk__in=[first, second, third])
    }
    assert got == {
        first: (Decimal("10.00"), ItemStatus.PAID),
        second: (Decimal("0.00"), ItemStatus.OPEN),
        third: (Decimal("4.35"), ItemStatus.OPEN),
    }
    update_rows(ReceivableItem, ["paid_amount"], [])  # nothing to do is not an error
