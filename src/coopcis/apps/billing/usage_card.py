"""The account page's usage card (registered in ``backoffice.cards``)."""

from __future__ import annotations

from typing import Any

from coopcis.apps.billing.account_usage import account_usage
from coopcis.apps.members.models import Account


def usage_card(account: Account) -> dict[str, Any]:
    """Context of ``billing/_usage_card.html``: each service point's usage."""
    return {"usage_points": account_usage(account)}
