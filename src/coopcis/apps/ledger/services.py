"""Posting to the general ledger: validate in the core, write in one transaction.

``post_entry_ids`` (and ``post_entries`` on top of it) is the only way entries reach the
database from the application. It checks each entry with :func:`coopcis.core.ledger.entries.entry_problems` and refuses the
whole batch if any is wrong; the database then checks again at commit (balanced, and
append-only forever after). ``source_key`` makes posting idempotent: an entry whose key
is already on the books is not posted twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection, transaction

from coopcis.apps.audit.context import current_actor
from coopcis.apps.ledger.models import EntryKind, JournalEntry, JournalLine
from coopcis.apps.members.models import Account
from coopcis.catalog.chart import load_chart
from coopcis.core.errors import RuleViolation
from coopcis.core.ledger import entries as core
from coopcis.core.money import Money
from coopcis.site.bulk import insert_rows, now_value, reserve_ids

CHUNK = 2000
ENTRY_COLUMNS = (
    "id",
    "posted_on",
    "posted_at",
    "kind",
    "memo",
    "source_key",
    "reverses_id",
    "posted_by",
)
JOURNAL_LINE_COLUMNS = (
    "entry_id",
    "gl_account_id",
    "member_account_id",
    "debit_amount",
    "credit_amount",
    "memo",
)


@dataclass(frozen=True)
class Posting:
    """A core entry with what the database needs to file it."""

    entry: core.JournalEntry
    kind: str
    source_key: str | None = None
    reverses_id: int | None = None


def _member_ids(postings: Sequence[Posting]) -> dict[str, int]:
    numbers = sorted(
        {line.member_account for p in postings for line in p.entry.lines if line.member_account}
    )
    found: dict[str, int] = {}
    for offset in range(0, len(numbers), CHUNK):
        part = numbers[offset : offset + CHUNK]
        found.update(Account.objects.filter(number__in=part).values_list("number", "id"))
    missing = set(numbers) - found.keys()
    if missing:
        raise RuleViolation(f"no member account {sorted(missing)[0]}", field="member_account")
    return found


def _already_posted(postings: Sequence[Posting]) -> set[str]:
    keys = [posting.source_key for posting in postings if posting.source_key]
    already: set[str] = set()
    for offset in range(0, len(keys), CHUNK):
        part = keys[offset : offset + CHUNK]
        already.update(
            JournalEntry.objects.filter(source_key__in=part).values_list("source_key", flat=True)
        )
    return already


@transaction.atomic
def post_entry_ids(postings: Sequence[Posting]) -> list[int | None]:
    """Post entries all or nothing; for each posting the new entry's id, or None where its
    ``source_key`` was already on the books. Rows go in raw (ids reserved first), which is
    what lets a bill run or a 100,000-item lockbox file post in seconds."""
    chart = load_chart()
    for posting in postings:
        problems = core.entry_problems(posting.entry, chart)
        if problems:
            raise RuleViolation(f"{posting.entry.memo}: {'; '.join(problems)}", field="lines")
    already = _already_posted(postings)
    fresh = [i for i, p in enumerate(postings) if not p.source_key or p.source_key not in already]
    members = _member_ids([postings[i] for i in fresh])
    ids = reserve_ids(JournalEntry, len(fresh))
    actor, now = current_actor().label, now_value()
    entry_rows = [
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
    ]
    line_rows = [
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
    ]
    # The databases' guards want a different order (guard.py): PostgreSQL closes an entry
    # to lines once it is in, so the entry goes first; SQLite, which cannot defer a check to
    # the commit, checks an entry's balance when the entry goes in, so its lines go first.
    if connection.vendor == "sqlite":
        insert_rows(JournalLine, JOURNAL_LINE_COLUMNS, line_rows)
        insert_rows(JournalEntry, ENTRY_COLUMNS, entry_rows)
    else:
        insert_rows(JournalEntry, ENTRY_COLUMNS, entry_rows)
        insert_rows(JournalLine, JOURNAL_LINE_COLUMNS, line_rows)
    result: list[int | None] = [None] * len(postings)
    for entry_id, i in zip(ids, fresh, strict=True):
        result[i] = entry_id
    return result


def post_entries(postings: Sequence[Posting]) -> list[JournalEntry]:
    """Post entries all or nothing (see :func:`post_entry_ids`); the entries posted, in
    order, leaving out those whose ``source_key`` was already posted."""
    ids = post_entry_ids(postings)
    posted = []
    for entry_id, posting in zip(ids, postings, strict=True):
        if entry_id is None:
            continue
        entry = JournalEntry(
            pk=entry_id,
            posted_on=posting.entry.posted_on,
            kind=posting.kind,
            memo=posting.entry.memo[:200],
            source_key=posting.source_key,
            reverses_id=posting.reverses_id,
        )
        entry._state.adding, entry._state.db = False, "default"  # it is in the database
        posted.append(entry)
    return posted


def post_entry(
    entry: core.JournalEntry, *, kind: str, source_key: str | None = None
) -> JournalEntry | None:
    """Post one entry; None if its ``source_key`` was already posted."""
    posted = post_entries([Posting(entry=entry, kind=kind, source_key=source_key)])
    return posted[0] if posted else None


def as_core_entry(entry: JournalEntry) -> core.JournalEntry:
    lines = entry.lines.select_related("member_account").order_by("id")
    return core.JournalEntry(
        posted_on=entry.posted_on,
        memo=entry.memo,
        lines=tuple(
            core.JournalLine(
                account_number=line.gl_account_id,
                debit=Money(line.debit_amount),
                credit=Money(line.credit_amount),
                member_account=line.member_account.number if line.member_account else None,
                memo=line.memo,
            )
            for line in lines
        ),
    )


@transaction.atomic
def reverse_entry(*, entry: JournalEntry, posted_on: date, reason: str) -> JournalEntry:
    """Undo a posted entry with its mirror image; the original stays on the books."""
    if not reason.strip():
        raise RuleViolation("say why the entry is reversed", field="reason")
    locked = JournalEntry.objects.select_for_update().get(pk=entry.pk)
    if hasattr(locked, "reversed_by"):
        raise RuleViolation(f"journal entry {entry.pk} is already reversed", field="entry")
    mirror = core.reversal_of(
        as_core_entry(locked), posted_on=posted_on, memo=f"Reversal: {reason}"
    )
    (posted,) = post_entries(
        [
            Posting(
                entry=mirror,
                kind=EntryKind.REVERSAL,
                source_key=f"reversal:{entry.pk}",
                reverses_id=entry.pk,
            )
        ]
    )
    return posted


def member_balance(account: Account, *, through: date | None = None) -> Decimal:
    """What the member owes (positive) or has in credit (negative) on 142.x receivables."""
    from django.db.models import Sum

    from coopcis.apps.ledger.reports import net

    lines = JournalLine.objects.filter(member_account=account, gl_account__member_subledger=True)
    if through is not None:
        lines = lines.filter(entry__posted_on__lte=through)
    sums = lines.aggregate(debit=Sum("debit_amount"), credit=Sum("credit_amount"))
    return net(sums["debit"], sums["credit"])
