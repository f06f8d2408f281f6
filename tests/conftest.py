"""Suite-wide test setup."""

from __future__ import annotations

import pytest
from django.core.management.commands import flush

from coopcis.apps.ledger.guard import ledger_maintenance
from coopcis.site.commands import CoopCommand

_original_flush = flush.Command.handle


def _flush_with_ledger_maintenance(self, *args, **options):  # type: ignore[no-untyped-def]
    # Transactional tests empty the database with Django's flush after each test; the
    # ledger refuses deletes (it is append-only) except in this maintenance mode.
    with ledger_maintenance():
        return _original_flush(self, *args, **options)


flush.Command.handle = _flush_with_ledger_maintenance
# Commands run in-process by tests must not close the test transaction's connection.
CoopCommand.close_connections_after_command_line = False


@pytest.fixture
def chart():
    from coopcis.catalog.chart import load_chart

    return load_chart()


@pytest.fixture
def freeze_today():
    """``freeze_today(date(...))`` makes the jobs' "today" (``coopcis.site.jobs.today``,
    which date options may not be after) that day until the test ends."""
    from contextlib import ExitStack

    from coopcis.site.jobs import frozen_today

    with ExitStack() as stack:
        yield lambda day: stack.enter_context(frozen_today(day))
