"""How payments react to what other apps announce (coopcis.events)."""

from __future__ import annotations

from coopcis.apps.billing.events import BillCancelled, BillsPosted
from coopcis.apps.members.models import Account
from coopcis.apps.payments.services import apply_credit, apply_credits, release_item
from coopcis.apps.receivables.events import ChargePosted
from coopcis.apps.receivables.models import ReceivableItem
from coopcis.events import subscribe


def apply_credit_to_charge(event: ChargePosted) -> None:
    """A new charge takes up the member's credit balance at once (same transaction)."""
    apply_credit(account=Account.objects.get(pk=event.account_id), on=event.posted_on)


def apply_credits_to_bills(event: BillsPosted) -> None:
    """New bills take up their members' credit balances at once (same transaction)."""
    apply_credits(event.account_ids, on=event.on)


def release_cancelled_bill(event: BillCancelled) -> None:
    """What payments put on a cancelled bill goes back to them as credit, applied again."""
    release_item(item=ReceivableItem.objects.get(pk=event.item_id), on=event.on)


def subscribe_all() -> None:
    subscribe(ChargePosted, apply_credit_to_charge)
    subscribe(BillsPosted, apply_credits_to_bills)
    subscribe(BillCancelled, release_cancelled_bill)
