"""How collections reacts to what other apps announce (coopcis.events)."""

from __future__ import annotations

from coopcis.apps.collections.orders import disconnections_for_nonpayment, reconnect_if_paid
from coopcis.apps.credit.history import register_disconnection_source
from coopcis.apps.members.models import Account
from coopcis.apps.payments.events import PaymentPosted
from coopcis.events import subscribe


def reconnect_after_payment(event: PaymentPosted) -> None:
    """A disconnected member who has now paid what reconnection needs is reconnected at
    once (SEC policy 421), right after the payment commits."""
    reconnect_if_paid(Account.objects.get(pk=event.account_id), on=event.received_on)


def subscribe_all() -> None:
    subscribe(PaymentPosted, reconnect_after_payment)
    register_disconnection_source(disconnections_for_nonpayment)
