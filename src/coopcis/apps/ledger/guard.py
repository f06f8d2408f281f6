"""The database's own guard over the ledger (see migration 0002 and docs/adr/0005-ledger.md).

Both databases refuse, even to raw SQL, a journal entry whose lines do not balance to the
cent when its transaction commits, and any UPDATE or DELETE of posted entries and lines.

- PostgreSQL: a deferred constraint trigger checks each entry once at commit; a statement
  trigger refuses lines for an entry that an earlier transaction posted or that this one
  has not inserted first (migration 0003);
  BEFORE UPDATE/DELETE and BEFORE TRUNCATE triggers refuse changes.
- SQLite has no deferred triggers, but it has deferred foreign keys: every entry gets a
  "seal" row that references a "balanced" row, which a trigger keeps present only while the
  entry's lines balance; a missing one fails the commit, including when a later transaction
  adds a line that unbalances an old entry (a balanced pair added to it is not caught: SQLite
  cannot tell which transaction wrote a row). BEFORE UPDATE/DELETE triggers refuse changes.

The only way past the append-only rule is :func:`ledger_maintenance`, used by the test
suite to empty the database between tests (Django's flush), never by the application.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections

_state = threading.local()


def _maintenance_on() -> int:
    return 1 if getattr(_state, "maintenance", False) else 0


def register_sqlite_guard(raw_connection: sqlite3.Connection) -> None:
    """Give a SQLite connection the function the append-only triggers consult."""
    raw_connection.create_function(
        "coopcis_ledger_maintenance", 0, _maintenance_on, deterministic=False
    )


@contextmanager
def ledger_maintenance() -> Iterator[None]:
    """Allow deletes from the ledger tables (test database teardown only)."""
    _state.maintenance = True
    postgres = [c for c in connections.all(initialized_only=True) if c.vendor == "postgresql"]
    try:
        for connection in postgres:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('coopcis.ledger_maintenance', 'on', false)")
        yield
    finally:
        _state.maintenance = False
        for connection in postgres:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('coopcis.ledger_maintenance', 'off', false)")
