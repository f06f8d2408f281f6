"""Receiving, applying, posting and reversing payments.

Every way in (office, API, lockbox file, bank draft) calls :func:`receive_payment`, which
is idempotent: the same ``idempotency_key`` with the same content returns the first
payment; with different content it is refused (:class:`IdempotencyConflict`, a 409 on the
API). Applying locks the member's account row, so two payments for one member never
apply to the same charge at once. Posting: Dr 131 cash; Cr the receivable each part
paid (142.1 electric, 142.2 other), and Cr 142.1 for any overpayment (a credit balance).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from coopcis.apps.audit.context import current_actor
from coopcis.apps.ledger.models import EntryKind
from coopcis.apps.ledger.services import Posting, member_balance, post_entries, reverse_entry
from coopcis.apps.members.models import Account, AccountStatus
from coopcis.apps.payments.events import PaymentPosted
from coopcis.apps.payments.models import (
    CHANNEL_TENDERS,
    BatchStatus,
    CashierBatch,
    Payment,
    PaymentApplication,
    PaymentChannel,
    PaymentStatus,
    RefundRequest,
    RefundStatus,
    Tender,
)
from coopcis.apps.receivables.models import ItemStatus, ReceivableItem
from coopcis.apps.receivables.services import apply_to_items
from coopcis.catalog.profiles import active_profile
from coopcis.core.errors import RuleViolation
from coopcis.core.ledger.entries import JournalEntry, JournalLine, credit, debit
from coopcis.core.money import Money
from coopcis.core.payments.ceilings import ceiling_for
from coopcis.events import announce

CASH = "131"
ELECTRIC_RECEIVABLE = "142.1"
ACCOUNTS_PAYABLE = "232"


class IdempotencyConflict(RuleViolation):
    """The key was used before for a different payment."""


@dataclass(frozen=True)
class Received:
    payment: Payment
    created: bool


def fingerprint(
    *, account_number: str, amount: Decimal, channel: str, tender: str, reference: str
) -> str:
    """What makes two submissions "the same payment" for idempotency."""
    text = f"{account_number}|{amount:.2f}|{channel}|{tender}|{reference}"
    return hashlib.sha256(text.encode()).hexdigest()


def check_amount(amount: Decimal) -> None:
    """A payment or refund is more than zero, in whole cents, and a Decimal."""
    if not isinstance(amount, Decimal) or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise RuleViolation("the amount must be more than zero, in whole cents", field="amount")


def check_ceiling(amount: Decimal, channel: str, tender: str) -> None:
    """Not more than the co-op's profile lets this channel take in this tender at once."""
    ceiling = ceiling_for(active_profile().payment_ceilings, channel=channel, tender=tender)
    if amount > ceiling.amount:
        raise RuleViolation(
            f"more than the {ceiling.formatted()} that {PaymentChannel(channel).label} takes "
            f"in one payment by {Tender(tender).label}",
            field="amount",
        )


def check_tender(channel: str, tender: str) -> None:
    """The channel exists and takes the tender (a drop box takes no cash, and so on)."""
    if channel not in CHANNEL_TENDERS:
        raise RuleViolation(f"unknown channel {channel!r}", field="channel")
    if tender not in CHANNEL_TENDERS[channel]:
        raise RuleViolation(
            f"{PaymentChannel(channel).label} does not take {Tender(tender).label}", field="tender"
        )


def _check(account: Account | None, amount: Decimal, channel: str, tender: str) -> Account:
    if account is None:
        raise RuleViolation("no such account", field="account")
    if account.status == AccountStatus.CLOSED:
        raise RuleViolation(f"account {account.number} is closed", field="account")
    check_amount(amount)
    check_tender(channel, tender)
    check_ceiling(amount, channel, tender)
    return account


def check_payment(
    *, account: Account | None, amount: Decimal, channel: str, tender: str
) -> Account:
    """Refuse, as :func:`receive_payment` would, a payment that cannot be taken; for callers
    that must know before money moves (a card charged through the processor)."""
    return _check(account, amount, channel, tender)


def receive_payment(
    *,
    account: Account | None,
    amount: Decimal,
    channel: str,
    tender: str,
    received_on: date,
    reference: str = "",
    source: str = "",
    idempotency_key: str | None = None,
    cashier_batch: CashierBatch | None = None,
) -> Received:
    """Record a payment (posting it now, or when its cashier batch closes)."""
    account = _check(account, amount, channel, tender)
    print_ = fingerprint(
        account_number=account.number,
        amount=amount,
        channel=channel,
        tender=tender,
        reference=reference,
    )
    if idempotency_key:
        existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return _same_or_conflict(existing, print_, idempotency_key)
    try:
        with transaction.atomic():
            payment = _create(
                account,
                amount,
                channel,
                tender,
                received_on,
                reference,
                source,
                idempotency_key,
                cashier_batch,
                print_,
            )
    except IntegrityError:
        # another submitter with the same key won the race: answer as for a repeat
        existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
        if existing is None:
            raise
        return _same_or_conflict(existing, print_, idempotency_key or "")
    return Received(payment, True)


def _same_or_conflict(existing: Payment, print_: str, key: str) -> Received:
    if existing.fingerprint != print_:
        raise IdempotencyConflict(
            f"idempotency key {key!r} was used for a different payment", field="idempotency_key"
        )
    return Received(existing, False)


def _create(account, amount, channel, tender, received_on, reference, source, key, batch, print_):  # type: ignore[no-untyped-def]
    if batch is not None:
        batch = CashierBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != BatchStatus.OPEN:
            raise RuleViolation(f"cashier batch {batch.pk} is closed", field="cashier_batch")
    payment = Payment.objects.create(
        account=account,
        amount=amount,
        unapplied_amount=amount,
        channel=channel,
        tender=tender,
        reference=reference[:80],
        received_on=received_on,
        taken_by=current_actor().label,
        source=source[:120],
        cashier_batch=batch,
        idempotency_key=key or None,
        fingerprint=print_,
        status=PaymentStatus.PENDING if batch is not None else PaymentStatus.POSTED,
    )
    if batch is None:
        payment = post_payment(payment)
    return payment


def _open_items(account_id: int) -> list[ReceivableItem]:
    return list(
        ReceivableItem.objects.select_for_update()
        .filter(account_id=account_id, status=ItemStatus.OPEN)
        .order_by("due_on", "id")
    )


def _apply(payment: Payment, available: Money, on: date) -> list[tuple[ReceivableItem, Money]]:
    """Apply up to ``available`` of ``payment`` to the account's open items (locked)."""
    applied, unapplied = apply_to_items(available, _open_items(payment.account_id))
    for item, part in applied:
        item.save(update_fields=["paid_amount", "status"])
        PaymentApplication.objects.create(
            payment=payment, item=item, amount=part.amount, applied_on=on
        )
    payment.unapplied_amount = unapplied.amount
    payment.save(update_fields=["unapplied_amount"])
    return applied


@transaction.atomic
def post_payment(payment: Payment) -> Payment:
    """Apply the payment (oldest charges first) and post it to the ledger."""
    Account.objects.select_for_update().get(pk=payment.account_id)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.journal_entry_id is not None:
        return payment
    amount = Money(payment.amount)
    applied = _apply(payment, amount, payment.received_on)
    member = payment.account.number
    by_account: dict[str, Money] = {}
    for item, part in applied:
        by_account[item.gl_account] = by_account.get(item.gl_account, Money.zero()) + part
    if payment.unapplied_amount:
        by_account[ELECTRIC_RECEIVABLE] = by_account.get(ELECTRIC_RECEIVABLE, Money.zero()) + Money(
            payment.unapplied_amount
        )
    lines: list[JournalLine] = [debit(CASH, amount)]
    lines += [credit(gl, part, member_account=member) for gl, part in sorted(by_account.items())]
    entry = JournalEntry(
        posted_on=payment.received_on,
        memo=f"Payment {payment.get_channel_display()} {payment.reference}".strip()[:200],
        lines=tuple(lines),
        source="payment",
    )
    (header,) = post_entries(
        [Posting(entry=entry, kind=EntryKind.PAYMENT, source_key=f"payment:{payment.pk}")]
    )
    payment.journal_entry = header
    payment.status = PaymentStatus.POSTED
    payment.save(update_fields=["journal_entry", "status"])
    # once this commits, collections reconnects a disconnected member who has now paid
    # what reconnection needs (policy 421); its daily job also checks, for bulk posting
    announce(
        PaymentPosted(
            payment_id=payment.pk, account_id=payment.account_id, received_on=payment.received_on
        )
    )
    return payment


@transaction.atomic
def apply_credit(*, account: Account, on: date) -> Money:
    """Apply the account's unapplied payments (its credit balance) to open charges, oldest
    payment first; a part that lands on a 142.2 charge is reclassified from 142.1."""
    Account.objects.select_for_update().get(pk=account.pk)
    total = Money.zero()
    credits = Payment.objects.filter(
        account=account, status=PaymentStatus.POSTED, unapplied_amount__gt=0
    )
    for payment in credits.order_by("received_on", "id"):
        applied = _apply(payment, Money(payment.unapplied_amount), on)
        other = sum(
            (part for item, part in applied if item.gl_account != ELECTRIC_RECEIVABLE), Money.zero()
        )
        for _item, part in applied:
            total = total + part
        if other:
            reclass = JournalEntry(
                posted_on=on,
                memo=f"Credit balance applied to other charges (payment {payment.pk})",
                lines=(
                    debit(ELECTRIC_RECEIVABLE, other, member_account=account.number),
                    *(
                        credit(item.gl_account, part, member_account=account.number)
                        for item, part in applied
                        if item.gl_account != ELECTRIC_RECEIVABLE
                    ),
                ),
            )
            post_entries([Posting(entry=reclass, kind=EntryKind.ADJUSTMENT)])
    return total


def apply_credits(account_ids: Iterable[int], *, on: date | None = None) -> None:
    """Apply credit balances of these accounts to their open charges (after a bill run)."""
    ids = list(account_ids)
    with_credit = (
        Payment.objects.filter(
            account_id__in=ids, status=PaymentStatus.POSTED, unapplied_amount__gt=0
        )
        .values_list("account_id", flat=True)
        .distinct()
    )
    for account in Account.objects.filter(pk__in=list(with_credit)):
        apply_credit(account=account, on=on or timezone.localdate())


@transaction.atomic
def release_item(*, item: ReceivableItem, on: date) -> None:
    """Void a charge (its bill was cancelled): what payments put on it goes back to them as
    credit, and is applied again to whatever else is open."""
    item = ReceivableItem.objects.select_for_update().get(pk=item.pk)
    for application in item.applications.filter(released_on__isnull=True).select_related("payment"):
        application.released_on = on
        application.save(update_fields=["released_on"])
        Payment.objects.filter(pk=application.payment_id).update(
            unapplied_amount=application.payment.unapplied_amount + application.amount
        )
    item.status = ItemStatus.VOID
    item.save(update_fields=["status"])
    apply_credit(account=item.account, on=on)


@transaction.atomic
def reverse_payment(*, payment: Payment, on: date, reason: str, return_code: str = "") -> Payment:
    """Undo a payment (returned check, ACH return, voided entry): reverse its entry and
    reopen the charges it paid."""
    Account.objects.select_for_update().get(pk=payment.account_id)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != PaymentStatus.POSTED or payment.journal_entry is None:
        raise RuleViolation(f"payment {payment.pk} is not posted", field="payment")
    if not reason.strip():
        raise RuleViolation("say why the payment is reversed", field="reason")
    for application in payment.applications.filter(released_on__isnull=True).select_related("item"):
        item = application.item
        item.paid_amount -= application.amount
        if item.status == ItemStatus.PAID:
            item.status = ItemStatus.OPEN
        item.save(update_fields=["paid_amount", "status"])
        application.released_on = on
        application.save(update_fields=["released_on"])
    payment.reversal_entry = reverse_entry(entry=payment.journal_entry, posted_on=on, reason=reason)
    payment.status = PaymentStatus.REVERSED
    payment.return_code = return_code[:4]
    payment.reversal_reason = reason[:200]
    payment.unapplied_amount = Decimal(0)
    payment.save(
        update_fields=[
            "reversal_entry",
            "status",
            "return_code",
            "reversal_reason",
            "unapplied_amount",
        ]
    )
    return payment


@transaction.atomic
def open_batch(*, drawer: str, opened_on: date, opening_cash: Decimal = Decimal(0)) -> CashierBatch:
    if CashierBatch.objects.filter(drawer=drawer, status=BatchStatus.OPEN).exists():
        raise RuleViolation(f"drawer {drawer} already has an open batch", field="drawer")
    return CashierBatch.objects.create(
        drawer=drawer,
        opened_on=opened_on,
        opened_by=current_actor().label,
        opening_cash=opening_cash,
    )


@dataclass(frozen=True)
class BatchTotals:
    cash: Decimal
    checks: Decimal
    cards: Decimal


def batch_totals(batch: CashierBatch) -> BatchTotals:
    totals = {Tender.CASH: Decimal(0), "checks": Decimal(0), Tender.CARD: Decimal(0)}
    for payment in batch.payments.exclude(
        status__in=(PaymentStatus.REVERSED, PaymentStatus.VOIDED)
    ):
        key = payment.tender if payment.tender in (Tender.CASH, Tender.CARD) else "checks"
        totals[key] += payment.amount
    return BatchTotals(totals[Tender.CASH], totals["checks"], totals[Tender.CARD])


@transaction.atomic
def close_batch(
    *, batch: CashierBatch, counted_cash: Decimal, counted_checks: Decimal, counted_cards: Decimal
) -> CashierBatch:
    """Balance the drawer against what was taken, close it and post its payments.

    The difference (counted less expected, cash over the opening float) is recorded; a
    drawer that does not balance still closes, and the difference shows on the report.
    """
    batch = CashierBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != BatchStatus.OPEN:
        raise RuleViolation(f"cashier batch {batch.pk} is already closed", field="batch")
    expected = batch_totals(batch)
    batch.difference = (
        (counted_cash - batch.opening_cash - expected.cash)
        + (counted_checks - expected.checks)
        + (counted_cards - expected.cards)
    )
    batch.counted_cash, batch.counted_checks, batch.counted_cards = (
        counted_cash,
        counted_checks,
        counted_cards,
    )
    batch.status = BatchStatus.CLOSED
    batch.closed_by = current_actor().label
    batch.closed_at = timezone.now()
    batch.save()
    for payment in batch.payments.filter(status=PaymentStatus.PENDING).order_by("id"):
        post_payment(payment)
    return batch


@dataclass(frozen=True)
class Owing:
    """What a member owes now: the books' balance (142.x), less what waits in open
    cashier batches (taken at the counter, posted when the drawer closes)."""

    balance: Decimal
    pending: Decimal

    @property
    def after_pending(self) -> Decimal:
        return self.balance - self.pending

    def overpaid_by(self, amount: Decimal) -> Decimal:
        """How much of a new payment of ``amount`` would be left as credit (0 if none)."""
        return max(amount - max(self.after_pending, Decimal(0)), Decimal(0))


def owing(account: Account) -> Owing:
    """The account's balance and its payments pending in open cashier batches (2 queries)."""
    pending = Payment.objects.filter(account=account, status=PaymentStatus.PENDING).aggregate(
        total=Sum("amount")
    )["total"]
    return Owing(
        balance=member_balance(account).quantize(Decimal("0.01")),
        pending=(pending or Decimal(0)).quantize(Decimal("0.01")),
    )


def credit_balance(account: Account) -> Decimal:
    """What payments left unapplied on the account (its credit balance)."""
    payments = Payment.objects.filter(account=account, status=PaymentStatus.POSTED)
    return sum((p.unapplied_amount for p in payments.only("unapplied_amount")), Decimal(0))


@transaction.atomic
def request_refund(*, account: Account, amount: Decimal, on: date, reason: str) -> RefundRequest:
    """Refund (part of) a credit balance by check request: the oldest unapplied payments
    give it up first; Dr 142.1 the member, Cr 232 accounts payable."""
    Account.objects.select_for_update().get(pk=account.pk)
    if not reason.strip():
        raise RuleViolation("say why the credit is refunded", field="reason")
    check_amount(amount)
    available = credit_balance(account)
    if amount > available:
        raise RuleViolation(
            f"the account has ${available} of credit, not ${amount}", field="amount"
        )
    remaining = amount
    credits = Payment.objects.select_for_update().filter(
        account=account, status=PaymentStatus.POSTED, unapplied_amount__gt=0
    )
    for payment in credits.order_by("received_on", "id"):
        taken = min(remaining, payment.unapplied_amount)
        payment.unapplied_amount -= taken
        payment.save(update_fields=["unapplied_amount"])
        remaining -= taken
        if not remaining:
            break
    money = Money(amount)
    entry = JournalEntry(
        posted_on=on,
        memo=f"Credit balance refund by check: {reason}"[:200],
        lines=(
            debit(ELECTRIC_RECEIVABLE, money, member_account=account.number),
            credit(ACCOUNTS_PAYABLE, money),
        ),
    )
    (header,) = post_entries([Posting(entry=entry, kind=EntryKind.ADJUSTMENT)])
    return RefundRequest.objects.create(
        account=account,
        amount=amount,
        reason=reason[:200],
        requested_on=on,
        requested_by=current_actor().label,
        request_entry=header,
    )


@transaction.atomic
def issue_refund_check(*, refund: RefundRequest, check_number: str, on: date) -> RefundRequest:
    """The check went out: Dr 232 accounts payable, Cr 131 cash."""
    refund = RefundRequest.objects.select_for_update().get(pk=refund.pk)
    if refund.status != RefundStatus.REQUESTED:
        raise RuleViolation(f"refund {refund.pk} was already issued", field="refund")
    if not check_number.strip():
        raise RuleViolation("give the check number", field="check_number")
    money = Money(refund.amount)
    entry = JournalEntry(
        posted_on=on,
        memo=f"Refund check {check_number} to account {refund.account.number}",
        lines=(debit(ACCOUNTS_PAYABLE, money), credit(CASH, money)),
    )
    (header,) = post_entries(
        [Posting(entry=entry, kind=EntryKind.ADJUSTMENT, source_key=f"refund-check:{refund.pk}")]
    )
    refund.status, refund.check_number, refund.issued_on = (
        RefundStatus.ISSUED,
        check_number[:20],
        on,
    )
    refund.issue_entry = header
    refund.save(update_fields=["status", "check_number", "issued_on", "issue_entry"])
    return refund
