"""The database's own guard over the ledger (migrations 0002-0004, docs/adr/0005-ledger.md).

Both databases refuse, even to raw SQL, a journal entry whose lines do not balance to the
cent, and any UPDATE or DELETE of posted entries and lines.

- PostgreSQL: a deferred constraint trigger checks each entry once at commit; a statement
  trigger refuses lines for an entry that an earlier transaction posted or that this one
  has not inserted first (migration 0003); BEFORE UPDATE/DELETE and BEFORE TRUNCATE
  triggers refuse changes. Only a session *authenticated* as the role
  :data:`MAINTENANCE_ROLE` that also sets ``coopcis.ledger_maintenance = 'on'`` gets past
  them (migration 0004): a setting alone never does, whoever sets it.
- SQLite has no deferred triggers, so an entry's lines go in before the entry, a line for
  an entry already on the books is refused, and the entry is refused unless its lines
  balance; BEFORE UPDATE/DELETE triggers refuse changes unconditionally (migration 0004).

The test suite empties its database between tests (Django's flush) inside
:func:`ledger_maintenance`: on PostgreSQL as a superuser (who can switch triggers off for
its session, as no other role can), on SQLite by dropping the append-only triggers and
putting the same ones back. The application never uses it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

#: The PostgreSQL role a maintenance session must log in as (``session_user``).
MAINTENANCE_ROLE = "coopcis_ledger_maintenance"

#: SQLite's append-only triggers (migration 0004).
SQLITE_APPEND_ONLY_TRIGGERS = tuple(
    f"ledger_{table}_no_{op}"
    for table in ("journalentry", "journalline")
    for op in ("update", "delete")
)


@contextmanager
def _postgres_maintenance(connection: BaseDatabaseWrapper) -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT session_user, rolsuper FROM pg_roles WHERE rolname = session_user")
        session_user, superuser = cursor.fetchone()
    if session_user == MAINTENANCE_ROLE:
        setting = "coopcis.ledger_maintenance"
        values = ("on", "off")
    elif superuser:
        # The test suite signs in as a superuser, who can do anything to a database anyway
        # (that is why the application must never be one): it switches the triggers off
        # for its flush the superuser's way, which no other role may.
        setting = "session_replication_role"
        values = ("replica", "origin")
    else:
        raise PermissionError(f"ledger maintenance needs a session signed in as {MAINTENANCE_ROLE}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, %s, false)", [setting, values[0]])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, false)", [setting, values[1]])


@contextmanager
def _sqlite_maintenance(connection: BaseDatabaseWrapper) -> Iterator[None]:
    # Anyone who can write the file can drop a trigger: SQLite has no roles. The suite does
    # it openly, and puts the very same triggers back.
    with connection.cursor() as cursor:
        placeholders = ", ".join("%s" for _ in SQLITE_APPEND_ONLY_TRIGGERS)
        cursor.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN ({placeholders})",
            list(SQLITE_APPEND_ONLY_TRIGGERS),
        )
        triggers = cursor.fetchall()
        for name, _sql in triggers:
            cursor.execute(f"DROP TRIGGER {name}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for _name, sql in triggers:
                cursor.execute(sql)


@contextmanager
def ledger_maintenance() -> Iterator[None]:
    """Allow deletes from the ledger tables (test database teardown only)."""
    with ExitStack() as stack:
        for connection in connections.all(initialized_only=True):
            if connection.vendor == "postgresql":
                stack.enter_context(_postgres_maintenance(connection))
            elif connection.vendor == "sqlite":
                stack.enter_context(_sqlite_maintenance(connection))
        yield
