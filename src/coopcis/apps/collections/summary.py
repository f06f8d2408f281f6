"""What the account page shows of collections and deposits (one call, a few queries)."""

from __future__ import annotations

from coopcis.apps.collections.models import CollectionCase, Notice, ServiceOrder
from coopcis.apps.credit.models import Deposit
from coopcis.apps.members.models import Account


def account_collections(account: Account) -> dict[str, object]:
    """The latest case (status, next step and date, protections), every notice sent, the
    field orders, and the deposits with their events."""
    return {
        "collection_case": CollectionCase.objects.filter(account=account).order_by("-id").first(),
        "collection_notices": list(
            Notice.objects.filter(account=account).order_by("-sent_on", "-id").defer("pdf")
        ),
        "service_orders": list(
            ServiceOrder.objects.filter(account=account).order_by("-created_on", "-id")[:20]
        ),
        "deposits": list(
            Deposit.objects.filter(account=account).prefetch_related("events").order_by("-id")
        ),
    }
