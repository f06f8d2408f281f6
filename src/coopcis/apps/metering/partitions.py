"""Interval data partitioned by month on PostgreSQL (migration ``metering/0003``).

``metering_intervalblock`` is a declaratively partitioned table there, by range of
``start_at`` (one partition per UTC month, since a block is one UTC day and so lies in one
month), so a bill run or a usage page that asks for a read period reads only the
partitions of its months, and an old month can be detached or dropped whole. Its primary
key is ``(id, start_at)`` and its unique constraint ``(meter_id, channel, start_at)``:
PostgreSQL wants the partition key in every unique constraint of a partitioned table.
Django does not manage partitioned tables; the model stays as it is (``id`` is still the
key it uses, unique in practice because it comes from one identity sequence) and SQLite
keeps one plain table.

A row whose month has no partition goes to ``metering_intervalblock_default``, so no
insert ever fails; writers that store a known span of days (the demo, read imports) call
:func:`ensure_months` first so their rows land in monthly partitions. A month created
after rows of it reached the default partition takes those rows over.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.db import connection, transaction

TABLE = "metering_intervalblock"
DEFAULT_PARTITION = f"{TABLE}_default"
#: Held while partitions are created, so two writers never create the same month.
LOCK_KEY = 4_206_016_001


def partition_name(month: date) -> str:
    return f"{TABLE}_p{month:%Y_%m}"


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """UTC midnight of the first of ``month`` and of the next month."""
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return (
        datetime(month.year, month.month, 1, tzinfo=UTC),
        datetime(following.year, following.month, 1, tzinfo=UTC),
    )


def months_between(first: date, last: date) -> list[date]:
    """The first day of every month from ``first``'s to ``last``'s, both included."""
    months = []
    index, end = first.year * 12 + first.month - 1, last.year * 12 + last.month - 1
    while index <= end:
        months.append(date(index // 12, index % 12 + 1, 1))
        index += 1
    return months


def create_partition_sql(month: date) -> str:
    low, high = month_bounds(month)
    return (
        f'CREATE TABLE IF NOT EXISTS "{partition_name(month)}" PARTITION OF "{TABLE}" '
        f"FOR VALUES FROM ('{low.isoformat()}') TO ('{high.isoformat()}')"
    )


def is_partitioned() -> bool:
    """True on PostgreSQL once migration ``metering/0003`` has partitioned the table."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [TABLE])
        row = cursor.fetchone()
    return row is not None and row[0] == "p"


def existing_months() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [TABLE],
        )
        return {name for (name,) in cursor.fetchall()}


def ensure_months(first: date, last: date) -> list[str]:
    """Create the monthly partitions from ``first``'s month to ``last``'s that do not exist
    yet (PostgreSQL, partitioned table; elsewhere nothing). Rows of such a month already in
    the default partition move into the new one. Returns the partitions created.

    Creating a partition locks the whole table for the rest of the transaction (PostgreSQL
    15 takes ``ACCESS EXCLUSIVE`` on the parent), which is why it is done once a month by
    the first writer of that month, not on every insert."""
    if not is_partitioned():
        return []
    wanted = {partition_name(m): m for m in months_between(first, last)}
    if not set(wanted) - existing_months():
        return []
    created = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        missing = sorted(set(wanted) - existing_months())
        for name in missing:
            month = wanted[name]
            low, high = month_bounds(month)
            cursor.execute(
                f"CREATE TEMPORARY TABLE coopcis_moved_blocks ON COMMIT DROP AS "
                f'SELECT * FROM "{DEFAULT_PARTITION}" WHERE start_at >= %s AND start_at < %s',
                [low, high],
            )
            cursor.execute(
                f'DELETE FROM "{DEFAULT_PARTITION}" WHERE start_at >= %s AND start_at < %s',
                [low, high],
            )
            cursor.execute(create_partition_sql(month))
            cursor.execute(f'INSERT INTO "{TABLE}" SELECT * FROM coopcis_moved_blocks')
            cursor.execute("DROP TABLE coopcis_moved_blocks")
            created.append(name)
    return created
