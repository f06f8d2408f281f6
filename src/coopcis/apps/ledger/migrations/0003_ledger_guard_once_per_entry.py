"""PostgreSQL checks each journal entry once at commit instead of once per line.

Migration 0002 checked an entry's balance from a deferred trigger on every line as well
as on the entry, so a transaction posting 100,000 three-line entries ran 400,000 balance
queries at commit. The line trigger was there for one case only: lines added to an entry
that an earlier transaction had already committed. This migration closes that case
directly and keeps one deferred check per entry:

- every entry records the transaction that posted it (``posted_in_xact``, filled by the
  database; not a Django field: nothing in the application reads or writes it);
- after each statement that inserts lines, one query refuses the statement if any new
  line belongs to an entry posted in an earlier transaction, or to an entry this
  transaction cannot see (lines come after their entry; an entry another transaction has
  not committed yet is no place for them: its commit-time check would not count them);
- the deferred trigger on the entry checks, at commit, that its lines balance.

The column is added without rewriting existing rows: they keep NULL, which is never the
current transaction, so their lines are as closed as those of new entries. SQLite is
unchanged (its guard was already one row per entry; see migration 0002).
"""

from django.db import migrations

POSTGRES_INSTALL = """
ALTER TABLE ledger_journalentry ADD COLUMN posted_in_xact xid8;
ALTER TABLE ledger_journalentry ALTER COLUMN posted_in_xact SET DEFAULT pg_current_xact_id();

DROP TRIGGER ledger_line_balanced ON ledger_journalline;

CREATE OR REPLACE FUNCTION ledger_check_entry_balanced() RETURNS trigger AS $$
DECLARE
    debits numeric; credits numeric; line_count integer;
BEGIN
    SELECT coalesce(sum(debit_amount), 0), coalesce(sum(credit_amount), 0), count(*)
      INTO debits, credits, line_count
      FROM ledger_journalline WHERE entry_id = NEW.id;
    IF line_count < 2 OR debits <> credits THEN
        RAISE EXCEPTION 'journal entry % does not balance: debits %, credits %, % lines',
            NEW.id, debits, credits, line_count USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION ledger_refuse_lines_on_closed_entries() RETURNS trigger AS $$
DECLARE
    entry bigint; found_entry bigint;
BEGIN
    SELECT l.entry_id, e.id INTO entry, found_entry
      FROM new_lines l LEFT JOIN ledger_journalentry e ON e.id = l.entry_id
     WHERE e.id IS NULL OR e.posted_in_xact IS DISTINCT FROM pg_current_xact_id()
     LIMIT 1;
    IF FOUND AND found_entry IS NULL THEN
        RAISE EXCEPTION 'journal entry % is not one this transaction posted: '
            'insert the entry before its lines', entry USING ERRCODE = 'check_violation';
    ELSIF FOUND THEN
        RAISE EXCEPTION 'journal entry % was posted by an earlier transaction: '
            'lines cannot be added to it (post a new entry)', entry
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_line_open_entry AFTER INSERT ON ledger_journalline
    REFERENCING NEW TABLE AS new_lines
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_lines_on_closed_entries();
"""

# back to migration 0002's guard
POSTGRES_REMOVE = """
DROP TRIGGER IF EXISTS ledger_line_open_entry ON ledger_journalline;
DROP FUNCTION IF EXISTS ledger_refuse_lines_on_closed_entries();

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

ALTER TABLE ledger_journalentry DROP COLUMN posted_in_xact;
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # a plain cursor: RAISE's '%' placeholders must not be read as query parameters
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(POSTGRES_INSTALL)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(POSTGRES_REMOVE)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_ledger_guard")]

    operations = [
        migrations.RunPython(install, remove),
    ]
