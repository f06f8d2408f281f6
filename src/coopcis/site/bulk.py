"""Writing many rows fast: ``executemany`` on SQLite, binary ``COPY`` on PostgreSQL.

For the big writes (the demo's meter data, a bill run's lines and entries, a lockbox
file's payments) where Django's ``bulk_create`` spends most of its time building a model
instance and preparing each value field by field. Ids that later rows need are reserved
first (:func:`reserve_ids`); columns with JSON are not supported.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.db import connection, models
from django.utils import timezone


class Adapter:
    """Dates and datetimes as the database backend wants them, converted once each."""

    def __init__(self) -> None:
        self.days: dict[date, Any] = {}
        self.instants: dict[datetime, Any] = {}
        self.raw = connection.vendor != "postgresql"

    def day(self, value: date) -> Any:
        if value not in self.days:
            self.days[value] = connection.ops.adapt_datefield_value(value) if self.raw else value
        return self.days[value]

    def instant(self, value: Any) -> Any:
        if value not in self.instants:
            adapted = connection.ops.adapt_datetimefield_value(value) if self.raw else value
            self.instants[value] = adapted
        return self.instants[value]


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """Insert ``rows`` of ``columns``; the model's other columns get their defaults."""
    if not rows:
        return
    fields = {
        f.attname: f
        for f in model._meta.concrete_fields
        if f.attname in columns or not f.primary_key
    }
    others = [f for name, f in fields.items() if name not in columns]
    defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in others)
    if defaults:
        rows = [row + defaults for row in rows]
    ordered = [fields[name] for name in columns] + others
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in ordered)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = [_pg_type(f) for f in ordered]

            def copy_rows(sql: str, params: Any, many: bool, context: Any) -> None:
                with cursor.cursor.copy(sql) as copy:
                    copy.set_types(types)
                    for row in rows:
                        copy.write_row(row)

            # through the connection's execute wrappers, as a query is (timing, logging)
            sql = f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)"
            cursor._execute_with_wrappers(sql, None, False, executor=copy_rows)
        else:
            marks = ", ".join(["%s"] * len(ordered))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def _pg_type(field: models.Field[Any, Any]) -> str:
    """The column's type as binary COPY and array casts want it: ``varchar(9)`` ->
    ``varchar``, a foreign key -> the type of the key it points to, and so on."""
    db_type = field.rel_db_type(connection) if field.is_relation else field.db_type(connection)
    base = (db_type or "").split("(")[0].strip()
    return {
        "timestamp with time zone": "timestamptz",
        "serial": "integer",
        "bigserial": "bigint",
    }.get(base, base)


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` primary keys for new rows of ``model`` (inside a transaction).

    PostgreSQL: ``nextval`` of the table's sequence. SQLite: after the largest id ever
    used, which is safe because coopcis's SQLite transactions begin ``IMMEDIATE`` and so
    already hold the database's write lock.
    """
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        (largest,) = cursor.fetchone()
        cursor.execute("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = %s", [table])
        (sequence,) = cursor.fetchone()
    first = max(int(largest), int(sequence)) + 1
    return list(range(first, first + count))


def update_rows(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """``UPDATE ... SET columns WHERE id = the last value`` for each row.

    PostgreSQL: one statement that joins the table to the rows sent as one array per
    column (``unnest``), instead of a round of planning and executing per row. SQLite:
    one ``executemany`` (in-process, so a statement per row costs little). Django's
    ``bulk_update`` builds a CASE per row and is slower than either.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            fields = [model._meta.get_field(column) for column in columns]
            arrays = ", ".join(f"%s::{_pg_type(f)}[]" for f in fields)
            names = ", ".join(quote(f.column) for f in fields)
            assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in fields)
            values = [list(column) for column in zip(*rows, strict=True)]
            cursor.execute(
                f"UPDATE {table} AS t SET {assignments}"
                f" FROM unnest({arrays}, %s::bigint[]) AS v({names}, {quote('id')})"
                f" WHERE t.{quote('id')} = v.{quote('id')}",
                values,
            )
            return
        assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {quote('id')} = %s", rows)


def now_value() -> Any:
    """This instant as the database stores a ``DateTimeField``."""
    return connection.ops.adapt_datetimefield_value(timezone.now())
