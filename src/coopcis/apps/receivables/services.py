"""Charges on a member's account: bills become open items; fees are posted and become items.

Fees (DOMAIN.md "Fees and service charges") come from the co-op profile; each posts
Dr 142.2 other receivables, Cr 451 miscellaneous service revenues (450 forfeited
discounts for late fees) and opens an item that payments then pay.

Non-cash credits (a net-metering payout paid as a bill credit, an efficiency rebate
credited to the bill) are put on the open charges by ``credit_open_charges``, in the
order payments use: Dr the account that funds the credit, Cr the receivable each charge
is booked to. When the bill is cancelled, ``give_back_charge_credit`` takes a part back:
Dr the receivable, Cr the funding account, and the charge is open again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Protocol, TypeVar

from django.db import transaction

from coopcis.apps.ledger.models import EntryKind
from coopcis.apps.ledger.models import JournalEntry as PostedEntry
from coopcis.apps.ledger.services import Posting, post_entries, post_entry
from coopcis.apps.members.models import Account
from coopcis.apps.receivables.events import ChargePosted
from coopcis.apps.receivables.models import ItemCategory, ItemStatus, ReceivableItem
from coopcis.catalog.profiles import active_profile
from coopcis.core.errors import RuleViolation
from coopcis.core.ledger.entries import JournalEntry, credit, debit
from coopcis.core.money import Money
from coopcis.core.payments.allocation import OpenItem, allocate
from coopcis.events import announce_in_transaction
from coopcis.site.bulk import insert_rows

OTHER_RECEIVABLE = "142.2"
SERVICE_REVENUE = "451"
FORFEITED_DISCOUNTS = "450"


def bill_items(bills: list) -> None:  # type: ignore[type-arg]
    """Open items for posted bills (called in the bill's own transaction)."""
    columns = (
        "account_id",
        "category",
        "description",
        "amount",
        "paid_amount",
        "posted_on",
        "due_on",
        "gl_account",
        "status",
        "bill_id",
        "fee_code",
        "journal_entry_id",
    )
    rows = [
        (
            bill.account_id,
            ItemCategory.ELECTRIC.value,
            f"Electric bill {bill.period} ({bill.tariff_code})",
            bill.total_amount,
            Decimal(0),
            bill.bill_date,
            bill.due_date,
            "142.1",
            ItemStatus.OPEN.value,
            bill.pk,
            "",
            bill.journal_entry_id,
        )
        for bill in bills
        if bill.total_amount > 0
    ]
    insert_rows(ReceivableItem, columns, rows)


@transaction.atomic
def charge_fee(
    *,
    account: Account,
    fee_code: str,
    on: date,
    reason: str,
    amount: Decimal | None = None,
    source_key: str | None = None,
) -> ReceivableItem | None:
    """Post a fee from the profile's schedule (or ``amount`` for a computed one, e.g. a late
    fee) and open it as an item due in the account's due days. None when ``source_key``
    was already charged (idempotent)."""
    profile = active_profile()
    fee = profile.fees.get(fee_code)
    if fee is None and amount is None:
        raise RuleViolation(
            f"the {profile.short_name} fee schedule has no fee {fee_code!r}", field="fee_code"
        )
    money = Money(amount) if amount is not None else fee.amount  # type: ignore[union-attr]
    if money.amount <= 0 or not money.is_whole_cents:
        raise RuleViolation("a fee must be a positive amount in whole cents", field="amount")
    description = fee.description if fee is not None else reason
    revenue = FORFEITED_DISCOUNTS if fee_code == "late_fee" else SERVICE_REVENUE
    entry = post_entry(
        JournalEntry(
            posted_on=on,
            memo=f"{description}: {reason}"[:200],
            lines=(
                debit(OTHER_RECEIVABLE, money, member_account=account.number),
                credit(revenue, money, member_account=account.number),
            ),
            source="fee",
        ),
        kind=EntryKind.FEE,
        source_key=source_key,
    )
    if entry is None:
        return None
    item = ReceivableItem.objects.create(
        account=account,
        category=ItemCategory.FEE,
        description=description[:200],
        amount=money.amount,
        posted_on=on,
        due_on=on + timedelta(days=profile.due_days_for(account.rate_class)),
        gl_account=OTHER_RECEIVABLE,
        fee_code=fee_code,
        journal_entry=entry,
    )
    # the payments app applies the member's credit balance to it, in this transaction
    announce_in_transaction(ChargePosted(account_id=account.pk, item_id=item.pk, posted_on=on))
    return item


class PayableItem(Protocol):
    """An open item as the application rule needs it: a ``ReceivableItem``, or the light
    row the lockbox's bulk path carries."""

    pk: int
    category: str
    due_on: date
    amount: Decimal
    paid_amount: Decimal
    status: str


Item = TypeVar("Item", bound=PayableItem)


def apply_to_items(amount: Money, items: Sequence[Item]) -> tuple[list[tuple[Item, Money]], Money]:
    """Spread ``amount`` over open ``items`` in the co-op's application order (oldest first,
    the profile's category order), marking each part paid on the items in memory; the
    caller saves them. Returns each item with the part it got, and what is left over."""
    profile = active_profile()
    by_id = {item.pk: item for item in items}
    result = allocate(
        amount,
        [OpenItem(i.pk, i.category, i.due_on, Money(i.amount - i.paid_amount)) for i in items],
        order=profile.payment_order,
        oldest_first=profile.payment_oldest_first,
    )
    applied = []
    for allocation in result.allocations:
        item = by_id[allocation.item_id]
        item.paid_amount += allocation.amount.amount
        if item.paid_amount == item.amount:
            item.status = ItemStatus.PAID
        applied.append((item, allocation.amount))
    return applied, result.unapplied


def open_items(account: Account) -> list[ReceivableItem]:
    return list(
        ReceivableItem.objects.filter(account=account, status=ItemStatus.OPEN).order_by(
            "due_on", "id"
        )
    )


def past_due_items(account: Account, *, as_of: date) -> list[ReceivableItem]:
    """Open charges whose due date has passed (what collections acts on)."""
    return [item for item in open_items(account) if item.due_on < as_of]


def lock_open_charges(account_ids: Iterable[int]) -> dict[int, list[ReceivableItem]]:
    """Each account's open charges, locked for the caller's transaction, oldest due first
    (what ``credit_open_charges`` takes)."""
    charges: dict[int, list[ReceivableItem]] = defaultdict(list)
    for item in (
        ReceivableItem.objects.select_for_update()
        .filter(account_id__in=list(account_ids), status=ItemStatus.OPEN)
        .order_by("due_on", "id")
    ):
        charges[item.account_id].append(item)
    return charges


@dataclass(frozen=True, slots=True)
class ChargeCredit:
    """A non-cash credit put on open charges: each charge with its part, the total, and
    the journal entry that booked it."""

    parts: list[tuple[ReceivableItem, Money]]
    total: Money
    entry: PostedEntry


def credit_open_charges(
    *,
    amount: Money,
    charges: Sequence[ReceivableItem],
    member: str,
    debit_account: str,
    posted_on: date,
    memo: str,
    source: str,
    kind: str,
    source_key: str,
) -> ChargeCredit | None:
    """Put a non-cash credit of up to ``amount`` on those of ``charges`` still open, in the
    order payments use (``apply_to_items``: oldest first, the profile's category order,
    loan installments last): Dr ``debit_account``, Cr the receivable each charge is booked
    to, in one entry under ``source_key``; the charges are saved. None when no charge is
    open. The caller keeps the parts (to give them back) and what was not used waits."""
    still_open = [item for item in charges if item.status == ItemStatus.OPEN]
    applied, _ = apply_to_items(amount, still_open)
    if not applied:
        return None
    used = sum((part for _, part in applied), Money.zero())
    entry = JournalEntry(
        posted_on=posted_on,
        memo=memo,
        lines=(
            debit(debit_account, used, member_account=member),
            *(credit(item.gl_account, part, member_account=member) for item, part in applied),
        ),
        source=source,
    )
    (posted,) = post_entries([Posting(entry=entry, kind=kind, source_key=source_key)])
    for item, _part in applied:
        item.save(update_fields=["paid_amount", "status"])
    return ChargeCredit(parts=applied, total=used, entry=posted)


def give_back_charge_credit(
    *,
    item: ReceivableItem,
    amount: Decimal,
    member: str,
    credit_account: str,
    posted_on: date,
    memo: str,
    source: str,
    kind: str,
    source_key: str,
) -> PostedEntry:
    """Take back ``amount`` of a non-cash credit ``credit_open_charges`` put on ``item``
    (its bill is cancelled), with the charge locked by the caller: Dr the receivable the
    charge is booked to, Cr ``credit_account`` (the account that funded the credit), in
    one entry under ``source_key``; the charge is open again for that much and saved.
    The caller marks its part given back with the entry returned."""
    money = Money(amount)
    entry = post_entry(
        JournalEntry(
            posted_on=posted_on,
            memo=memo[:200],
            lines=(
                debit(item.gl_account, money, member_account=member),
                credit(credit_account, money, member_account=member),
            ),
            source=source,
        ),
        kind=kind,
        source_key=source_key,
    )
    item.paid_amount -= amount
    if item.status == ItemStatus.PAID:
        item.status = ItemStatus.OPEN
    item.save(update_fields=["paid_amount", "status"])
    return entry
