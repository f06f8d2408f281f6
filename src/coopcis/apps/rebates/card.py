"""The account page's rebate claims card (registered in ``backoffice.cards``)."""

from __future__ import annotations

from typing import Any

from coopcis.apps.members.models import Account
from coopcis.apps.rebates.models import RebateClaim

SHOWN = 20


def rebates_card(account: Account) -> dict[str, Any]:
    """Context of ``rebates/_rebates_card.html``: the latest claims (one query)."""
    claims = RebateClaim.objects.filter(account=account).order_by("-submitted_on", "-id")
    return {"claims": list(claims[:SHOWN]), "account_number": account.number}
