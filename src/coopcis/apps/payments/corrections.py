"""Correcting a payment taken in error: voided the same day, or reversed later.

- **Void**: an office payment still in its open cashier batch, on the day it was taken.
  Nothing was posted yet (a batch posts when it closes), so nothing is reversed: the
  payment leaves the drawer's expected totals and never reaches the books. Cashiers
  (customer service, finance) may void.
- **Reverse**: a posted payment, any later day. Its journal entry is reversed through the
  ledger's one posting path (``reverse_entry``) and the charges it paid open again, as for
  an ACH return or a returned check (``services.reverse_payment``), but with no returned-
  payment fee: the co-op's own mistake is not the member's. Only a supervisor's role
  (finance, manager) may reverse.

Both need a reason, and both write an audit event on the member's account (who, when,
why, the status before and after), shown in the account page's history.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from coopcis.apps.audit.context import current_actor
from coopcis.apps.audit.models import AuditAction, AuditEvent
from coopcis.apps.payments.models import BatchStatus, CashierBatch, Payment, PaymentStatus
from coopcis.apps.payments.services import reverse_payment
from coopcis.core.errors import RuleViolation


def _reason(reason: str) -> str:
    text = " ".join(reason.split())
    if not text:
        raise RuleViolation("say why", field="reason")
    return text[:200]


def _audit(payment: Payment, before: str, reason: str) -> None:
    actor = current_actor()
    AuditEvent.objects.create(
        actor=actor.user,
        actor_label=actor.label,
        action=AuditAction.UPDATE,
        model="payments.payment",
        object_pk=str(payment.pk),
        object_repr=str(payment)[:200],
        account_id=payment.account_id,
        changes={"status": [before, payment.status]},
        reason=reason[:300],
    )


def _stamp(payment: Payment) -> None:
    payment.reversed_by = current_actor().label[:150]
    payment.reversed_at = timezone.now()
    payment.save(update_fields=["reversed_by", "reversed_at"])


def can_void(payment: Payment, *, on: date) -> bool:
    """Still in its open cashier batch on the day it was taken."""
    return (
        payment.status == PaymentStatus.PENDING
        and payment.cashier_batch_id is not None
        and payment.cashier_batch.status == BatchStatus.OPEN
        and payment.received_on == on
    )


def can_reverse(payment: Payment, *, on: date) -> bool:
    return payment.status == PaymentStatus.POSTED and payment.received_on <= on


@transaction.atomic
def void_payment(*, payment: Payment, on: date, reason: str) -> Payment:
    """Void an office payment taken today into a batch that is still open.

    The batch row is locked first, as closing it does, so a void and a close never cross:
    either the payment is voided and the close leaves it out, or it is posted and can
    only be reversed.
    """
    why = _reason(reason)
    if payment.cashier_batch_id is None:
        raise RuleViolation(
            f"payment {payment.pk} was not taken at the counter: reverse it instead",
            field="payment",
        )
    CashierBatch.objects.select_for_update().get(pk=payment.cashier_batch_id)
    payment = (
        Payment.objects.select_related("cashier_batch")
        .select_for_update(of=("self",))
        .get(pk=payment.pk)
    )
    if payment.status == PaymentStatus.VOIDED:
        raise RuleViolation(f"payment {payment.pk} is already voided", field="payment")
    if not can_void(payment, on=on):
        raise RuleViolation(
            f"payment {payment.pk} can no longer be voided (only on the day it was taken, "
            "before its cashier batch closes): reverse it instead",
            field="payment",
        )
    payment.status = PaymentStatus.VOIDED
    payment.reversal_reason = why
    payment.unapplied_amount = payment.amount
    payment.save(update_fields=["status", "reversal_reason", "unapplied_amount"])
    _stamp(payment)
    _audit(payment, PaymentStatus.PENDING, f"Voided: {why}")
    return payment


@transaction.atomic
def reverse_posted_payment(*, payment: Payment, on: date, reason: str) -> Payment:
    """Reverse a posted payment on ``on``: reversing entry, charges it paid reopened."""
    why = _reason(reason)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status == PaymentStatus.PENDING:
        raise RuleViolation(
            f"payment {payment.pk} is still in an open cashier batch: void it instead",
            field="payment",
        )
    if payment.status != PaymentStatus.POSTED:
        raise RuleViolation(
            f"payment {payment.pk} is {payment.get_status_display().lower()}, not posted",
            field="payment",
        )
    if on < payment.received_on:
        raise RuleViolation("a payment cannot be reversed before it was received", field="on")
    payment = reverse_payment(
        payment=payment, on=on, reason=f"Payment {payment.pk} reversed: {why}"
    )
    payment.reversal_reason = why
    payment.save(update_fields=["reversal_reason"])
    _stamp(payment)
    _audit(payment, PaymentStatus.POSTED, f"Reversed: {why}")
    return payment
