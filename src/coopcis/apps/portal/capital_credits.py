"""The member's capital credits in the portal: what the co-op's margins credited to the
account year by year, what is retired and open, and the retirements paid (bylaws art.
VIII sec. 2: each patron is told the capital credited to them). The same history the
account page's card shows (``capital_credits.queries.credit_history``), for a linked
account only."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coopcis.apps.capital_credits.queries import credit_history
from coopcis.apps.capital_credits.unclaimed import claim_deadline
from coopcis.apps.portal.access import get_linked_account_or_404, member_required


@member_required
def capital_credits(request: HttpRequest, number: str) -> HttpResponse:
    account = get_linked_account_or_404(request.user, number)
    history = credit_history(account)
    for payout in history["payouts"]:
        payout.deadline = (  # an uncashed check: the last day to claim it
            claim_deadline(payout.mailed_on)
            if payout.mailed_on and payout.status == "ISSUED"
            else None
        )
    return render(request, "portal/capital_credits.html", {"account": account, **history})
