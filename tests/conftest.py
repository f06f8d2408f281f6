"""Suite-wide test setup."""

from __future__ import annotations

import os

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


#: Commands that change data name a staff sign-in (coopcis.apps.staff.operators); the
#: suite runs them as this one, a manager made in every test that has a database.
TEST_OPERATOR = "operator"
os.environ["COOPCIS_OPERATOR"] = TEST_OPERATOR


@pytest.fixture(autouse=True)
def _command_operator(request):
    """The operator sign-in, in every test that has a database."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if marker is None and not names & {"db", "transactional_db"}:
        return
    transactional = "transactional_db" in names or bool(marker and marker.kwargs.get("transaction"))
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user, created = get_user_model().objects.get_or_create(
        username=TEST_OPERATOR, defaults={"is_staff": True}
    )
    if created:
        user.groups.add(Group.objects.get(name="Manager"))


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
