"""Posting to the general ledger: validate in the core, write in one transaction.

``post_entries`` is the only way entries reach the database from the application. It
checks each entry with :func:`coopcis.core.ledger.entries.entry_problems` and refuses the
whole batch if any is wrong; the database then checks again at commit (balanced, and
append-only forever after). ``source_key`` makes posting idempotent: an entry whose key
is already on the books is not posted twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from coopcis.apps.audit.context import current_actor
from coopcis.apps.ledger.models import EntryKind, JournalEntry, JournalLine
from coopcis.apps.members.models import Account
from coopcis.catalog.chart import load_chart
from coopcis.core.errors import RuleViolation
from coopcis.core.ledger import entries as core
from coopcis.core.money import Money
from coopcis.site.bulk import insert_rows

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
    numbers = {
        line.member_account
        for posting in postings
        for line in posting.entry.lines
        if line.member_account
    }
    found = dict(Account.objects.filter(number__in=numbers).values_list("number", "id"))
    missing = numbers - found.keys()
    if missing:
        raise RuleViolation(f"no member account {sorted(missing)[0]}", field="member_account")
    return found


@transaction.atomic
def post_entries(postings: Sequence[Posting]) -> list[JournalEntry]:
    """Post entries all or nothing; entries whose ``source_key`` is already posted are skipped."""
    chart = load_chart()
    for posting in postings:
        problems = core.entry_problems(posting.entry, chart)
        if problems:
            raise RuleViolation(f"{posting.entry.memo}: {'; '.join(problems)}", field="lines")
    keys = [posting.source_key for posting in postings if posting.source_key]
    already = set(
        JournalEntry.objects.filter(source_key__in=keys).values_list("source_key", flat=True)
    )
    fresh = [
        posting
        for posting in postings
        if posting.source_key not in already or not posting.source_key
    ]
    member_ids = _member_ids(fresh)
    actor = current_actor().label
    headers = JournalEntry.objects.bulk_create(
        [
            JournalEntry(
                posted_on=posting.entry.posted_on,
                kind=posting.kind,
                memo=posting.entry.memo[:200],
                source_key=posting.source_key,
                reverses_id=posting.reverses_id,
                posted_by=actor,
            )
            for posting in fresh
        ]
    )
    insert_rows(
        JournalLine,
        JOURNAL_LINE_COLUMNS,
        [
            (
                header.pk,
                line.account_number,
                member_ids.get(line.member_account or ""),
                line.debit.amount,
                line.credit.amount,
                line.memo[:200],
            )
            for header, posting in zip(headers, fresh, strict=True)
            for line in posting.entry.lines
        ],
    )
    return headers


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
