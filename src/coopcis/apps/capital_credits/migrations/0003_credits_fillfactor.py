"""Room on each page of the capital credits for a second version of every row.

A general retirement by percentage changes ``retired_amount`` of every open credit (some
400,000 rows over twenty years at the demo co-op's size). On PostgreSQL a row updated
where its page has room, and no indexed column changes, is a heap-only (HOT) update: none
of the table's five indexes is touched. Pages filled only half by inserts keep that room
(benchmarks/capital_credits.py; docs/benchmarks.md). It applies to pages written after
it; ``VACUUM FULL capital_credits_capitalcredit`` applies it to rows already there.
SQLite has no such setting: nothing to do there.
"""

from django.db import migrations

TABLE = "capital_credits_capitalcredit"


def set_fillfactor(apps, schema_editor, value: int = 50) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} SET (fillfactor = {value})")


def reset_fillfactor(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("capital_credits", "0002_estate_deceased")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
