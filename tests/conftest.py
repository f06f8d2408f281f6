"""Suite-wide test setup."""

from __future__ import annotations

import pytest
from django.core.management.commands import flush

from coopcis.apps.ledger.guard import ledger_maintenance

_original_flush = flush.Command.handle


def _flush_with_ledger_maintenance(self, *args, **options):  # type: ignore[no-untyped-def]
    # Transactional tests empty the database with Django's flush after each test; the
    # ledger refuses deletes (it is append-only) except in this maintenance mode.
    with ledger_maintenance():
        return _original_flush(self, *args, **options)


flush.Command.handle = _flush_with_ledger_maintenance


@pytest.fixture
def chart():
    from coopcis.catalog.chart import load_chart

    return load_chart()
