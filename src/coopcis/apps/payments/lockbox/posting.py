"""Applying and posting many payments at once, exactly as ``receive_payment`` would one by one.

``receive_payment`` takes a handful of queries per payment; a lockbox file of 100,000
checks needs the same result in bulk. For each chunk of payments this path locks the
accounts (in id order, so two imports cannot deadlock), reads their open items once,
applies each payment in file order with the same rule (``receivables.services.apply_to_items``,
so a member with two checks in one file has the second applied after the first), then writes
payments, applications and item updates with reserved ids and one bulk insert or update per
table (``coopcis.site.bulk``), and posts one journal entry per payment through the ledger's
``post_entry_ids`` (same lines, memo and ``source_key`` ``payment:<id>`` as ``post_payment``),
so the member subledger stays exact. The ORM's per-row cost alone would
take a 100,000-item file past the minute the issue allows.

The one difference a caller may ask for is ``cash_account``: a payment made from the
lockbox suspense queue debits 242.2 (the money already sits in 131) instead of 131.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from coopcis.apps.audit.context import current_actor
from coopcis.apps.ledger.models import EntryKind
from coopcis.apps.ledger.services import Posting, post_entry_ids
from coopcis.apps.members.models import Account, AccountStatus
from coopcis.apps.payments.models import (
    Payment,
    PaymentApplication,
    PaymentChannel,
    PaymentStatus,
    Tender,
)
from coopcis.apps.payments.services import (
    CASH,
    ELECTRIC_RECEIVABLE,
    IdempotencyConflict,
    check_amount,
    check_tender,
    fingerprint,
)
from coopcis.apps.receivables.models import ItemStatus, ReceivableItem
from coopcis.apps.receivables.services import apply_to_items
from coopcis.core.errors import RuleViolation
from coopcis.core.ledger.entries import JournalEntry, JournalLine, credit, debit
from coopcis.core.money import Money
from coopcis.site.bulk import insert_rows, now_value, reserve_ids, update_rows

CHUNK = 2000
SUSPENSE = "242.2"


@dataclass(frozen=True)
class PaymentDraft:
    """A payment to receive and post now (no cashier batch), for a member account."""

    account_id: int
    account_number: str
    amount: Decimal
    received_on: date
    reference: str = ""
    source: str = ""
    idempotency_key: str | None = None
    channel: str = PaymentChannel.LOCKBOX
    tender: str = Tender.CHECK
    posted_on: date | None = None
    cash_account: str = CASH
    memo: str = ""
    account_closed: bool = False

    @classmethod
    def for_account(cls, account: Account, **fields: Any) -> PaymentDraft:
        return cls(
            account_id=account.pk,
            account_number=account.number,
            account_closed=account.status == AccountStatus.CLOSED,
            **fields,
        )

    def fingerprint(self) -> str:
        return fingerprint(
            account_number=self.account_number,
            amount=self.amount,
            channel=self.channel,
            tender=self.tender,
            reference=self.reference,
        )


@dataclass(frozen=True)
class Posted:
    """What became of a draft: its payment, and whether this call created it."""

    payment_id: int
    created: bool
    amount: Decimal
    unapplied_amount: Decimal


@dataclass
class _Item:
    """An open item as this path needs it (a model instance per item costs too much)."""

    pk: int
    account_id: int
    category: str
    due_on: date
    amount: Decimal
    paid_amount: Decimal
    gl_account: str
    status: str = ItemStatus.OPEN


def _check(draft: PaymentDraft) -> None:
    if draft.account_closed:
        raise RuleViolation(f"account {draft.account_number} is closed", field="account")
    check_amount(draft.amount)
    check_tender(draft.channel, draft.tender)
    if draft.cash_account not in (CASH, SUSPENSE):
        raise RuleViolation("a payment's cash side is 131 or 242.2", field="cash_account")


def _existing(drafts: Sequence[PaymentDraft]) -> dict[str, tuple[int, str, Decimal, Decimal]]:
    keys = [d.idempotency_key for d in drafts if d.idempotency_key]
    found: dict[str, tuple[int, str, Decimal, Decimal]] = {}
    for start in range(0, len(keys), CHUNK):
        rows = Payment.objects.filter(idempotency_key__in=keys[start : start + CHUNK]).values_list(
            "idempotency_key", "pk", "fingerprint", "amount", "unapplied_amount"
        )
        for key, pk, print_, amount, unapplied in rows:
            found[key] = (pk, print_, amount, unapplied)
    return found


def _open_items(account_ids: list[int]) -> dict[int, list[_Item]]:
    # lock the members' rows first, in id order, as post_payment does one at a time
    list(
        Account.objects.select_for_update()
        .filter(pk__in=account_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    items: dict[int, list[_Item]] = {account_id: [] for account_id in account_ids}
    rows = (
        ReceivableItem.objects.select_for_update()
        .filter(account_id__in=account_ids, status=ItemStatus.OPEN)
        .order_by("due_on", "id")
        .values_list(
            "pk", "account_id", "category", "due_on", "amount", "paid_amount", "gl_account"
        )
    )
    for row in rows:
        items[row[1]].append(_Item(*row))
    return items


def _entry(draft: PaymentDraft, parts: dict[str, Money]) -> JournalEntry:
    lines: list[JournalLine] = [debit(draft.cash_account, Money(draft.amount))]
    lines += [
        credit(gl, part, member_account=draft.account_number) for gl, part in sorted(parts.items())
    ]
    memo = draft.memo or f"Payment {PaymentChannel(draft.channel).label} {draft.reference}"
    return JournalEntry(
        posted_on=draft.posted_on or draft.received_on,
        memo=memo.strip()[:200],
        lines=tuple(lines),
        source="payment",
    )


def _allocate(
    drafts: Sequence[PaymentDraft], open_items: dict[int, list[_Item]]
) -> list[tuple[list[tuple[_Item, Money]], Money]]:
    """Apply each draft in order to its account's open items, updating them in memory."""
    results = []
    for draft in drafts:
        items = [i for i in open_items[draft.account_id] if i.status == ItemStatus.OPEN]
        results.append(apply_to_items(Money(draft.amount), items))
    return results


def _apply_chunk(drafts: Sequence[PaymentDraft], actor: str) -> list[Posted]:
    open_items = _open_items(sorted({d.account_id for d in drafts}))
    allocated = _allocate(drafts, open_items)
    payment_ids = reserve_ids(Payment, len(drafts))
    postings = []
    for pk, draft, (applied, unapplied) in zip(payment_ids, drafts, allocated, strict=True):
        parts: dict[str, Money] = {}
        for item, part in applied:
            parts[item.gl_account] = parts.get(item.gl_account, Money.zero()) + part
        if unapplied:
            parts[ELECTRIC_RECEIVABLE] = parts.get(ELECTRIC_RECEIVABLE, Money.zero()) + unapplied
        postings.append(
            Posting(entry=_entry(draft, parts), kind=EntryKind.PAYMENT, source_key=f"payment:{pk}")
        )
    entry_ids = post_entry_ids(postings)
    now = now_value()
    insert_rows(
        Payment,
        [
            "id",
            "account_id",
            "amount",
            "unapplied_amount",
            "channel",
            "tender",
            "reference",
            "received_on",
            "received_at",
            "taken_by",
            "source",
            "cashier_batch_id",
            "idempotency_key",
            "fingerprint",
            "status",
            "journal_entry_id",
            "reversal_entry_id",
            "return_code",
            "reversal_reason",
        ],
        [
            (
                pk,
                d.account_id,
                d.amount,
                unapplied.amount,
                d.channel,
                d.tender,
                d.reference[:80],
                d.received_on,
                now,
                actor,
                d.source[:120],
                None,
                d.idempotency_key or None,
                d.fingerprint(),
                PaymentStatus.POSTED,
                entry_id,
                None,
                "",
                "",
            )
            for pk, d, (_applied, unapplied), entry_id in zip(
                payment_ids, drafts, allocated, entry_ids, strict=True
            )
        ],
    )
    insert_rows(
        PaymentApplication,
        ["payment_id", "item_id", "amount", "applied_on", "released_on"],
        [
            (pk, item.pk, part.amount, draft.received_on, None)
            for pk, draft, (applied, _unapplied) in zip(payment_ids, drafts, allocated, strict=True)
            for item, part in applied
        ],
    )
    touched = {item.pk: item for applied, _unapplied in allocated for item, _part in applied}
    update_rows(
        ReceivableItem,
        ["paid_amount", "status"],
        [(item.paid_amount, item.status, item.pk) for item in touched.values()],
    )
    return [
        Posted(pk, True, draft.amount, unapplied.amount)
        for pk, draft, (_applied, unapplied) in zip(payment_ids, drafts, allocated, strict=True)
    ]


@transaction.atomic
def post_payments_bulk(
    drafts: Sequence[PaymentDraft],
    *,
    chunk_size: int = CHUNK,
    progress: Callable[[int], None] | None = None,
) -> list[Posted]:
    """Receive, apply (oldest first) and post ``drafts`` in order; one result per draft.

    A draft whose ``idempotency_key`` is already on a payment with the same content is
    answered with that payment (``created=False``); with different content the whole call
    is refused (:class:`IdempotencyConflict`), as ``receive_payment`` would refuse it.
    """
    for draft in drafts:
        _check(draft)
    existing = _existing(drafts)
    results: list[Posted | None] = [None] * len(drafts)
    fresh: list[int] = []
    seen: set[str] = set()
    for position, draft in enumerate(drafts):
        key = draft.idempotency_key or ""
        previous = existing.get(key)
        if previous is None:
            if key and key in seen:
                raise IdempotencyConflict(f"idempotency key {key!r} twice in one call", field="key")
            seen.add(key)
            fresh.append(position)
        elif previous[1] != draft.fingerprint():
            raise IdempotencyConflict(
                f"idempotency key {key!r} was used for a different payment",
                field="idempotency_key",
            )
        else:
            results[position] = Posted(previous[0], False, previous[2], previous[3])
    actor = current_actor().label
    for start in range(0, len(fresh), chunk_size):
        positions = fresh[start : start + chunk_size]
        for position, posted in zip(
            positions, _apply_chunk([drafts[p] for p in positions], actor), strict=True
        ):
            results[position] = posted
        if progress is not None:
            progress(len(positions))
    return [result for result in results if result is not None]
