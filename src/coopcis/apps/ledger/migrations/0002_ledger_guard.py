"""The database guards the ledger itself: balanced at commit, append-only (see guard.py)."""

from django.db import migrations

POSTGRES_INSTALL = """
CREATE OR REPLACE FUNCTION ledger_maintenance_on() RETURNS boolean AS $$
    SELECT coalesce(current_setting('coopcis.ledger_maintenance', true), 'off') = 'on'
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION ledger_check_entry_balanced() RETURNS trigger AS $$
DECLARE
    entry bigint;
    debits numeric; credits numeric; line_count integer;
BEGIN
    IF TG_TABLE_NAME = 'ledger_journalentry' THEN
        entry := NEW.id;
    ELSE
        entry := NEW.entry_id;
    END IF;
    SELECT coalesce(sum(debit_amount), 0), coalesce(sum(credit_amount), 0), count(*)
      INTO debits, credits, line_count
      FROM ledger_journalline WHERE entry_id = entry;
    IF line_count < 2 OR debits <> credits THEN
        RAISE EXCEPTION 'journal entry % does not balance: debits %, credits %, % lines',
            entry, debits, credits, line_count USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER ledger_line_balanced AFTER INSERT ON ledger_journalline
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_balanced();
CREATE CONSTRAINT TRIGGER ledger_entry_balanced AFTER INSERT ON ledger_journalentry
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_entry_balanced();

CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    IF ledger_maintenance_on() THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    RAISE EXCEPTION 'the ledger is append-only: % on % refused (post a reversing entry)',
        TG_OP, TG_TABLE_NAME USING ERRCODE = 'check_violation';
END $$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_line_append_only BEFORE UPDATE OR DELETE ON ledger_journalline
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON ledger_journalentry
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_line_no_truncate BEFORE TRUNCATE ON ledger_journalline
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_entry_no_truncate BEFORE TRUNCATE ON ledger_journalentry
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
"""

POSTGRES_REMOVE = """
DROP TRIGGER IF EXISTS ledger_entry_no_truncate ON ledger_journalentry;
DROP TRIGGER IF EXISTS ledger_line_no_truncate ON ledger_journalline;
DROP TRIGGER IF EXISTS ledger_entry_append_only ON ledger_journalentry;
DROP TRIGGER IF EXISTS ledger_line_append_only ON ledger_journalline;
DROP TRIGGER IF EXISTS ledger_entry_balanced ON ledger_journalentry;
DROP TRIGGER IF EXISTS ledger_line_balanced ON ledger_journalline;
DROP FUNCTION IF EXISTS ledger_refuse_change();
DROP FUNCTION IF EXISTS ledger_check_entry_balanced();
DROP FUNCTION IF EXISTS ledger_maintenance_on();
"""

# Amounts compare as whole cents: SQLite keeps decimals with REAL affinity.
SQLITE_INSTALL = (
    [
        "CREATE TABLE ledger_balancedentry (entry_id INTEGER PRIMARY KEY NOT NULL)",
        """CREATE TABLE ledger_entryseal (
        entry_id INTEGER PRIMARY KEY NOT NULL
            REFERENCES ledger_balancedentry (entry_id) DEFERRABLE INITIALLY DEFERRED
    )""",
        """CREATE TRIGGER ledger_entry_seal AFTER INSERT ON ledger_journalentry
    BEGIN
        INSERT INTO ledger_entryseal (entry_id) VALUES (NEW.id);
    END""",
        """CREATE TRIGGER ledger_line_balance AFTER INSERT ON ledger_journalline
    BEGIN
        DELETE FROM ledger_balancedentry WHERE entry_id = NEW.entry_id;
        INSERT INTO ledger_balancedentry (entry_id)
        SELECT NEW.entry_id
         WHERE (SELECT count(*) >= 2
                   AND CAST(round(sum(debit_amount) * 100) AS INTEGER)
                     = CAST(round(sum(credit_amount) * 100) AS INTEGER)
                  FROM ledger_journalline WHERE entry_id = NEW.entry_id);
    END""",
    ]
    + [
        f"""CREATE TRIGGER ledger_{table}_no_{op.lower()} BEFORE {op} ON ledger_{table}
    WHEN NOT coopcis_ledger_maintenance()
    BEGIN
        SELECT RAISE(ABORT, 'the ledger is append-only: {op} on ledger_{table} refused (post a reversing entry)');
    END"""
        for table in ("journalentry", "journalline")
        for op in ("UPDATE", "DELETE")
    ]
    + [
        # keep the guard tables in step when maintenance empties the ledger
        """CREATE TRIGGER ledger_entry_unseal AFTER DELETE ON ledger_journalentry
    BEGIN
        DELETE FROM ledger_entryseal WHERE entry_id = OLD.id;
        DELETE FROM ledger_balancedentry WHERE entry_id = OLD.id;
    END""",
    ]
)

SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS ledger_entry_unseal",
    *[
        f"DROP TRIGGER IF EXISTS ledger_{table}_no_{op}"
        for table in ("journalentry", "journalline")
        for op in ("update", "delete")
    ],
    "DROP TRIGGER IF EXISTS ledger_line_balance",
    "DROP TRIGGER IF EXISTS ledger_entry_seal",
    "DROP TABLE IF EXISTS ledger_entryseal",
    "DROP TABLE IF EXISTS ledger_balancedentry",
]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # a plain cursor: RAISE's '%' placeholders must not be read as query parameters
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(POSTGRES_INSTALL)
    elif vendor == "sqlite":
        for statement in SQLITE_INSTALL:
            schema_editor.execute(statement)
    else:
        raise RuntimeError(f"the ledger guard supports PostgreSQL and SQLite, not {vendor}")


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(POSTGRES_REMOVE)
    elif vendor == "sqlite":
        for statement in SQLITE_REMOVE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [
        migrations.RunPython(install, remove),
    ]
