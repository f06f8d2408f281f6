"""No switch opens the ledger guard: not a setting, not a redefined function, not foreign
keys turned off, not text where an amount belongs (migration ledger/0004).

These tests commit for real (transaction=True), as an attacker's connection would.
"""

from __future__ import annotations

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, IntegrityError, connection, transaction

from coopcis.apps.ledger import reports
from coopcis.apps.ledger.guard import MAINTENANCE_ROLE
from coopcis.apps.ledger.integrity import verify_ledger
from coopcis.apps.ledger.models import JournalEntry, JournalLine

pytestmark = pytest.mark.django_db(transaction=True)

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="roles and sessions are PostgreSQL's"
)
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="a SQLite file's guard")

ENTRY = (
    "INSERT INTO ledger_journalentry (id, posted_on, posted_at, kind, memo, posted_by)"
    " VALUES ({id}, '2026-01-31', '2026-01-31 12:00:00+00', 'ADJUSTMENT', 'raw', 'sql')"
)
LINE = (
    "INSERT INTO ledger_journalline (entry_id, gl_account_id, debit_amount, credit_amount, memo)"
    " VALUES ({id}, '{account}', {debit}, {credit}, '')"
)


def _post(cursor, entry_id: int, *lines: tuple[str, str, str]) -> None:
    statements = [LINE.format(id=entry_id, account=a, debit=d, credit=c) for a, d, c in lines]
    if connection.vendor == "postgresql":
        statements.insert(0, ENTRY.format(id=entry_id))
    else:
        statements.append(ENTRY.format(id=entry_id))
    for statement in statements:
        cursor.execute(statement)


@pytest.fixture
def posted_entry() -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        _post(cursor, 9101, ("131", "40.00", "0"), ("456", "0", "40.00"))
    return 9101


@pytest.mark.parametrize("amount", ["'abc'", "'12,50'", "'1e999'", "-5"])
def test_amounts_that_are_not_numbers_of_cents_are_refused(amount):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        _post(cursor, 9102, ("131", amount, "0"), ("456", "0", "10.00"))
    assert not JournalLine.objects.filter(entry_id=9102).exists()
    assert verify_ledger().sound


def test_verify_reads_a_sound_ledger_back(posted_entry):
    result = verify_ledger()
    assert result.sound, result.problems
    assert (result.entries, result.lines) == (1, 2)
    call_command("ledger", "verify")


@postgres_only
def test_postgres_a_setting_alone_never_opens_the_guard(posted_entry):
    # the suite's own sign-in is a superuser: even it cannot open the guard with a setting
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL coopcis.ledger_maintenance = 'on'")
        cursor.execute("UPDATE ledger_journalline SET debit_amount = 4000 WHERE debit_amount > 0")
    assert JournalLine.objects.filter(debit_amount=40).count() == 1


@pytest.fixture
def application_role():
    """A role like the one production runs the application as: not a superuser, allowed to
    read and write the tables, and nothing more."""
    role = "coopcis_app_probe"
    with connection.cursor() as cursor:
        cursor.execute(
            "DO $$ BEGIN CREATE ROLE coopcis_app_probe LOGIN NOSUPERUSER;"
            " EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
        cursor.execute(
            f"DO $$ BEGIN CREATE ROLE {MAINTENANCE_ROLE} NOLOGIN;"
            " EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}"
        )
    settings = connection.settings_dict
    session = psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        dbname=settings["NAME"],
        user=role,
        autocommit=True,
    )
    yield session
    session.close()
    with connection.cursor() as cursor:
        cursor.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}")


@postgres_only
def test_postgres_the_application_role_cannot_open_or_become_maintenance(
    posted_entry, application_role
):
    attempts = [
        ["SET coopcis.ledger_maintenance = 'on'", "DELETE FROM ledger_journalline"],
        [f"SET ROLE {MAINTENANCE_ROLE}"],
        [f"SET SESSION AUTHORIZATION {MAINTENANCE_ROLE}"],
        ["UPDATE ledger_journalentry SET memo = 'edited'"],
        ["TRUNCATE ledger_journalline, ledger_journalentry"],
    ]
    for statements in attempts:
        with pytest.raises(psycopg.Error), application_role.transaction():
            for statement in statements:
                application_role.execute(statement)
    assert JournalLine.objects.filter(entry_id=posted_entry).count() == 2
    assert JournalEntry.objects.get(pk=posted_entry).memo == "raw"


@postgres_only
def test_postgres_the_maintenance_role_can_with_the_setting(posted_entry):
    # what a database administrator signed in as the maintenance role can do (rolled back)
    with pytest.raises(RuntimeError, match="rolled back"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"DO $$ BEGIN CREATE ROLE {MAINTENANCE_ROLE} NOLOGIN;"
                " EXCEPTION WHEN duplicate_object THEN NULL; END $$"
            )
            cursor.execute(f"GRANT SELECT, DELETE ON ledger_journalline TO {MAINTENANCE_ROLE}")
            cursor.execute(f"SET LOCAL SESSION AUTHORIZATION {MAINTENANCE_ROLE}")
            cursor.execute("SET LOCAL coopcis.ledger_maintenance = 'on'")
            cursor.execute("DELETE FROM ledger_journalline WHERE entry_id = %s", [posted_entry])
            assert cursor.rowcount == 2
        raise RuntimeError("rolled back")
    assert JournalLine.objects.filter(entry_id=posted_entry).count() == 2


@pytest.fixture
def foreign_keys_off():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys = OFF")
    yield
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys = ON")


@sqlite_only
def test_sqlite_guard_holds_with_foreign_keys_off(posted_entry, foreign_keys_off):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys")
        assert cursor.fetchone()[0] == 0
    # an unbalanced entry
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        _post(cursor, 9103, ("131", "10.00", "0"), ("456", "0", "9.99"))
    # an entry with no lines
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(ENTRY.format(id=9104))
    # a balanced pair slipped onto an entry already on the books
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(LINE.format(id=posted_entry, account="131", debit="5", credit="0"))
        cursor.execute(LINE.format(id=posted_entry, account="456", debit="0", credit="5"))
    assert not JournalEntry.objects.filter(pk__in=[9103, 9104]).exists()
    assert JournalLine.objects.filter(entry_id=posted_entry).count() == 2
    assert reports.trial_balance().balanced


@sqlite_only
def test_sqlite_a_connection_cannot_register_its_way_past_the_guard(posted_entry):
    # migration 0002's triggers asked a function each connection defined for itself
    connection.ensure_connection()
    raw = connection.connection
    raw.create_function("coopcis_ledger_maintenance", 0, lambda: 1)
    for statement in (
        "UPDATE ledger_journalline SET debit_amount = 4000 WHERE debit_amount > 0",
        "DELETE FROM ledger_journalline",
        "DELETE FROM ledger_journalentry",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    assert JournalLine.objects.filter(entry_id=posted_entry).count() == 2


@sqlite_only
def test_verify_finds_what_a_writer_with_foreign_keys_off_left_behind(foreign_keys_off):
    # SQLite cannot refuse lines whose entry never comes when foreign keys are off: verify
    # finds them (the one thing the SQLite guard cannot promise; docs/adr/0005-ledger.md)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(LINE.format(id=9105, account="131", debit="3.00", credit="0"))
    (problem,) = verify_ledger().problems
    assert problem.startswith("1 journal lines without their entry: ")
    with pytest.raises(CommandError, match="problem"):
        call_command("ledger", "verify")


@sqlite_only
def test_verify_notices_a_dropped_trigger():
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'ledger_journalline_no_update'")
        (sql,) = cursor.fetchone()
        cursor.execute("DROP TRIGGER ledger_journalline_no_update")
    try:
        result = verify_ledger()
        assert result.problems == [
            "the ledger guard is missing triggers: ledger_journalline_no_update"
        ]
    finally:
        with connection.cursor() as cursor:
            cursor.execute(sql)
