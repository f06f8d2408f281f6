"""The account page's life-support card (registered in ``backoffice.cards``)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from coopcis.apps.members.models import Account
from coopcis.apps.outages.models import LifeSupportCertificate


def life_support_card(account: Account) -> dict[str, Any]:
    """Context of ``outages/_life_support_card.html``: the certificate in force, if any
    (one query)."""
    today = timezone.localdate()
    certificates = LifeSupportCertificate.objects.filter(account=account)
    in_force = next((c for c in certificates if c.counts_on(today)), None)
    return {"account_number": account.number, "in_force": in_force}
