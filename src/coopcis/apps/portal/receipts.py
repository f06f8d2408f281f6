"""The member's receipt for a payment made in the portal: the notifications'
``payment_received`` message (email or text as the member chose, in their language,
sent after the payment commits; once per payment)."""

from __future__ import annotations

from coopcis.apps.ledger.services import member_balance
from coopcis.apps.notify.models import OutboxMessage
from coopcis.apps.notify.services import notify
from coopcis.apps.payments.models import Payment
from coopcis.catalog.profiles import active_profile


def send_payment_receipt(payment: Payment) -> OutboxMessage:
    """Queue the receipt (a repeat for the same payment returns the first message)."""
    account = payment.account
    portal = active_profile().portal_url.rstrip("/")
    return notify(
        account,
        "payment_received",
        {
            "amount": payment.amount,
            "received_on": payment.received_on,
            "balance": member_balance(account),
            "reference": payment.reference,
            "url": f"{portal}/accounts/{account.number}/" if portal else "",
        },
        idempotency_key=f"payment_received:{payment.pk}",
    )
