"""No setting and no connection-defined function can open the ledger guard any more.

PostgreSQL: migration 0002 let any session that set ``coopcis.ledger_maintenance = 'on'``
update and delete posted rows. Now maintenance also needs the session to have been
*authenticated* as the dedicated role ``coopcis_ledger_maintenance`` (``session_user``,
which ``SET ROLE`` does not change and only a superuser's ``SET SESSION AUTHORIZATION``
can). The application's role is not that role and, not being a superuser nor a member of
it, cannot become it. The check is written into the trigger function itself, with a fixed
``search_path``, instead of calling a helper another schema could shadow.

SQLite: migration 0002's append-only triggers asked a function that every connection
registers for itself (``coopcis_ledger_maintenance()``), so any program opening the file
could register one that says yes; and the balance check rested on a deferred foreign key,
which a connection with ``PRAGMA foreign_keys=OFF`` does not enforce. Now:

- the append-only triggers refuse every UPDATE and DELETE unconditionally (the test suite
  empties its database by dropping and re-creating them: see ``guard.ledger_maintenance``);
- an entry's lines go in *before* the entry (``ledger.services.post_entry_ids``), a line
  for an entry that is already on the books is refused, and the entry itself is refused
  unless the lines already there balance: the check is immediate and needs no foreign key;
- amounts that are not numbers (SQLite keeps any text in any column) or are negative,
  infinite or out of range are refused.

What SQLite still cannot promise is said in docs/adr/0005-ledger.md.
"""

from django.db import migrations

MAINTENANCE_ROLE = "coopcis_ledger_maintenance"

POSTGRES_INSTALL = f"""
CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger
SET search_path = pg_catalog, public
AS $$
BEGIN
    IF session_user = '{MAINTENANCE_ROLE}'
       AND coalesce(current_setting('coopcis.ledger_maintenance', true), 'off') = 'on' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    RAISE EXCEPTION 'the ledger is append-only: % on % refused (post a reversing entry)',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'check_violation';
END $$ LANGUAGE plpgsql;

DROP FUNCTION IF EXISTS ledger_maintenance_on();
"""

POSTGRES_REMOVE = """
CREATE OR REPLACE FUNCTION ledger_maintenance_on() RETURNS boolean AS $$
    SELECT coalesce(current_setting('coopcis.ledger_maintenance', true), 'off') = 'on'
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    IF ledger_maintenance_on() THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    RAISE EXCEPTION 'the ledger is append-only: % on % refused (post a reversing entry)',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'check_violation';
END $$ LANGUAGE plpgsql;
"""

# SQLite keeps decimals with NUMERIC affinity: a well-formed number is stored as an integer
# or a real, anything else stays text. Amounts compare as whole cents.
_AMOUNT_IS_BAD = (
    "typeof(NEW.{column}) NOT IN ('integer', 'real')"
    " OR NEW.{column} < 0 OR NEW.{column} >= 1000000000000"
)

SQLITE_DROP_OLD = [
    "DROP TRIGGER IF EXISTS ledger_entry_unseal",
    "DROP TRIGGER IF EXISTS ledger_line_balance",
    "DROP TRIGGER IF EXISTS ledger_entry_seal",
    *[
        f"DROP TRIGGER IF EXISTS ledger_{table}_no_{op}"
        for table in ("journalentry", "journalline")
        for op in ("update", "delete")
    ],
    "DROP TABLE IF EXISTS ledger_entryseal",
    "DROP TABLE IF EXISTS ledger_balancedentry",
]

SQLITE_INSTALL = [
    f"""CREATE TRIGGER ledger_line_amounts BEFORE INSERT ON ledger_journalline
    WHEN {_AMOUNT_IS_BAD.format(column="debit_amount")}
      OR {_AMOUNT_IS_BAD.format(column="credit_amount")}
    BEGIN
        SELECT RAISE(ABORT, 'journal line amounts must be numbers of whole cents, not negative');
    END""",
    """CREATE TRIGGER ledger_line_open_entry BEFORE INSERT ON ledger_journalline
    WHEN EXISTS (SELECT 1 FROM ledger_journalentry WHERE id = NEW.entry_id)
    BEGIN
        SELECT RAISE(ABORT, 'journal entry is already posted: lines cannot be added to it (post a new entry; its lines go in before it)');
    END""",
    """CREATE TRIGGER ledger_entry_balanced BEFORE INSERT ON ledger_journalentry
    WHEN NOT (SELECT count(*) >= 2
                 AND CAST(round(sum(debit_amount) * 100) AS INTEGER)
                   = CAST(round(sum(credit_amount) * 100) AS INTEGER)
                FROM ledger_journalline WHERE entry_id = NEW.id)
    BEGIN
        SELECT RAISE(ABORT, 'journal entry does not balance (or has fewer than two lines): its lines must be in before it and debits equal credits');
    END""",
    *[
        f"""CREATE TRIGGER ledger_{table}_no_{op.lower()} BEFORE {op} ON ledger_{table}
    BEGIN
        SELECT RAISE(ABORT, 'the ledger is append-only: {op} on ledger_{table} refused (post a reversing entry)');
    END"""
        for table in ("journalentry", "journalline")
        for op in ("UPDATE", "DELETE")
    ],
]

SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS ledger_line_amounts",
    "DROP TRIGGER IF EXISTS ledger_line_open_entry",
    "DROP TRIGGER IF EXISTS ledger_entry_balanced",
    *[
        f"DROP TRIGGER IF EXISTS ledger_{table}_no_{op}"
        for table in ("journalentry", "journalline")
        for op in ("update", "delete")
    ],
]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # a plain cursor: RAISE's '%' placeholders must not be read as query parameters
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(POSTGRES_INSTALL)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP_OLD + SQLITE_INSTALL:
            schema_editor.execute(statement)


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(POSTGRES_REMOVE)
    elif vendor == "sqlite":
        # back to migration 0002's guard, sealing the entries already on the books
        from importlib import import_module

        previous = import_module("coopcis.apps.ledger.migrations.0002_ledger_guard")
        for statement in SQLITE_REMOVE + previous.SQLITE_INSTALL:
            schema_editor.execute(statement)
        schema_editor.execute(
            "INSERT INTO ledger_balancedentry (entry_id) SELECT id FROM ledger_journalentry"
        )
        schema_editor.execute(
            "INSERT INTO ledger_entryseal (entry_id) SELECT id FROM ledger_journalentry"
        )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_ledger_guard_once_per_entry")]

    operations = [
        migrations.RunPython(install, remove),
    ]
