"""Returned checks: the bank sends back a check the co-op deposited.

OCEC handbook, service charges: returned check $40. The payment is reversed (the charges
it paid open again), the profile's ``returned_check`` fee is charged, the account is
flagged, and a second returned payment within 12 months (checks and drafts alike) ends
automatic bank draft (docs/domain/bank-draft.md).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from coopcis.apps.payments.ach.returns import record_returned_payment
from coopcis.apps.payments.models import Payment, PaymentStatus, Tender
from coopcis.core.errors import RuleViolation
from coopcis.core.payments.calendar import DraftPolicy

CHECK_TENDERS = (Tender.CHECK, Tender.MONEY_ORDER, Tender.CASHIERS_CHECK)


@transaction.atomic
def return_check(
    *, payment: Payment, on: date, reason: str = "", policy: DraftPolicy | None = None
) -> list[str]:
    """Post a returned check; returns what was done."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.tender not in CHECK_TENDERS:
        raise RuleViolation(
            f"payment {payment.pk} was paid by {payment.get_tender_display()}, not by check",
            field="payment",
        )
    if payment.status != PaymentStatus.POSTED:
        raise RuleViolation(f"payment {payment.pk} is not posted", field="payment")
    if on < payment.received_on:
        raise RuleViolation("a check cannot come back before it was received", field="on")
    what = f"check {payment.reference}".strip() if payment.reference else "check"
    text = f"Returned {what} (payment {payment.pk})" + (f": {reason}" if reason else "")
    return record_returned_payment(
        payment=payment,
        on=on,
        reason=text,
        return_code="",
        source_key=f"check:{payment.pk}",
        charge=True,
        ends_mandate=False,
        policy=policy or DraftPolicy(),
    )
