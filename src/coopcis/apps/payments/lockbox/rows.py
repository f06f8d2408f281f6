"""Writing many rows fast: reserved ids, ``executemany`` inserts and updates, ledger entries.

Django's ``bulk_create`` builds a model instance and compiles every field of every row;
for a 100,000-item lockbox file (some 600,000 rows across payments, applications,
journal entries and lines) that alone is past the minute the issue allows. These helpers
write the same rows with one prepared statement each:

* ids are reserved first (PostgreSQL: ``nextval`` of the table's sequence; SQLite: after
  the largest id used, which is safe because the co-op's SQLite connections begin
  ``IMMEDIATE``, so this transaction already holds the database's write lock), so
  payments can name their journal entries and applications their payments;
* :func:`post_entries_fast` posts journal entries as ``post_entries`` does: each entry is
  checked by the core's ``entry_problems`` and the batch refused whole if one is wrong,
  a ``source_key`` already on the books is skipped, receivable lines carry the member
  account; and the database's own guard (balanced entries at commit, no changes after)
  checks them again. It belongs beside ``post_entries`` in ``apps/ledger/services.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import Model
from django.utils import timezone

from coopcis.apps.audit.context import current_actor
from coopcis.apps.ledger.models import JournalEntry, JournalLine
from coopcis.apps.ledger.services import Posting
from coopcis.apps.members.models import Account
from coopcis.catalog.chart import load_chart
from coopcis.core.errors import RuleViolation
from coopcis.core.ledger import entries as core

CHUNK = 2000


def _quote(name: str) -> str:
    return str(connection.ops.quote_name(name))


def reserve_ids(model: type[Model], count: int) -> list[int]:
    """``count`` primary keys for new rows of ``model`` (inside a transaction)."""
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
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {_quote(table)}")
        (largest,) = cursor.fetchone()
        cursor.execute("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = %s", [table])
        (sequence,) = cursor.fetchone()
    first = max(int(largest), int(sequence)) + 1
    return list(range(first, first + count))


def insert_rows(
    model: type[Model], columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """``INSERT`` ``rows`` (values already in database form) in one ``executemany``."""
    if not rows:
        return
    names = ", ".join(_quote(column) for column in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {_quote(model._meta.db_table)} ({names}) VALUES ({marks})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK * 5):
            cursor.executemany(sql, rows[start : start + CHUNK * 5])


def update_rows(
    model: type[Model], columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """``UPDATE ... SET columns WHERE id = the last value`` for each row, in one ``executemany``
    (Django's ``bulk_update`` builds a CASE per row and costs more than all the rest)."""
    if not rows:
        return
    assignments = ", ".join(f"{_quote(column)} = %s" for column in columns)
    sql = f"UPDATE {_quote(model._meta.db_table)} SET {assignments} WHERE {_quote('id')} = %s"
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def now_value() -> Any:
    """This instant as the database stores a ``DateTimeField``."""
    return connection.ops.adapt_datetimefield_value(timezone.now())


def _member_ids(postings: Sequence[Posting]) -> dict[str, int]:
    numbers = sorted(
        {line.member_account for p in postings for line in p.entry.lines if line.member_account}
    )
    found: dict[str, int] = {}
    for start in range(0, len(numbers), CHUNK):
        part = numbers[start : start + CHUNK]
        found.update(Account.objects.filter(number__in=part).values_list("number", "id"))
    missing = set(numbers) - found.keys()
    if missing:
        raise RuleViolation(f"no member account {sorted(missing)[0]}", field="member_account")
    return found


def post_entries_fast(postings: Sequence[Posting]) -> list[int | None]:
    """Post entries all or nothing, as ``post_entries`` does; the new entry's id for each
    posting, or None where its ``source_key`` was already on the books."""
    chart = load_chart()
    for posting in postings:
        problems = core.entry_problems(posting.entry, chart)
        if problems:
            raise RuleViolation(f"{posting.entry.memo}: {'; '.join(problems)}", field="lines")
    keys = [p.source_key for p in postings if p.source_key]
    already: set[str] = set()
    for start in range(0, len(keys), CHUNK):
        already.update(
            JournalEntry.objects.filter(source_key__in=keys[start : start + CHUNK]).values_list(
                "source_key", flat=True
            )
        )
    fresh = [i for i, p in enumerate(postings) if not p.source_key or p.source_key not in already]
    members = _member_ids([postings[i] for i in fresh])
    ids = reserve_ids(JournalEntry, len(fresh))
    actor, now = current_actor().label, now_value()
    insert_rows(
        JournalEntry,
        ["id", "posted_on", "posted_at", "kind", "memo", "source_key", "reverses_id", "posted_by"],
        [
            (
                entry_id,
                postings[i].entry.posted_on,
                now,
                postings[i].kind,
                postings[i].entry.memo[:200],
                postings[i].source_key,
                postings[i].reverses_id,
                actor,
            )
            for entry_id, i in zip(ids, fresh, strict=True)
        ],
    )
    insert_rows(
        JournalLine,
        ["entry_id", "gl_account_id", "member_account_id", "debit_amount", "credit_amount", "memo"],
        [
            (
                entry_id,
                line.account_number,
                members.get(line.member_account or ""),
                line.debit.amount,
                line.credit.amount,
                line.memo[:200],
            )
            for entry_id, i in zip(ids, fresh, strict=True)
            for line in postings[i].entry.lines
        ],
    )
    result: list[int | None] = [None] * len(postings)
    for entry_id, i in zip(ids, fresh, strict=True):
        result[i] = entry_id
    return result
