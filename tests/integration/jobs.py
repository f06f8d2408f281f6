"""Helpers for the tests of the jobs' shared guards: a full dump of the database, and
``coopcis`` run in-process."""

from __future__ import annotations

from django.db import connection

from coopcis.cli import main


def database_dump() -> str:
    """Every table's every row (and, on SQLite, the schema and ``sqlite_sequence``), as
    text: two dumps are equal exactly when the database did not change. SQLite's own
    ``iterdump``; on PostgreSQL each table's rows in a fixed order."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return "\n".join(connection.connection.iterdump())
    parts = []
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows = sorted(repr(row) for row in cursor.fetchall())
            parts.append(f"-- {table} ({len(rows)})\n" + "\n".join(rows))
    return "\n".join(parts)


def coopcis(capsys, *argv: object) -> tuple[int, str, str]:
    """Run ``coopcis`` in-process; the exit code, stdout and stderr."""
    code = main([str(arg) for arg in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err
