"""The member's capital credits in the portal: what the co-op's margins credited to the
account year by year, what is retired and open, and the retirements paid (bylaws art.
VIII sec. 2: each patron is told the capital credited to them). The same history the
account page's card shows (``capital_credits.queries.credit_history``), for a linked
account only.

Unclaimed retirement checks (art. VIII sec. 3: unclaimed two years after mailing, a check
is a gift to the co-op): the account's own are listed on its page, each with its claim
deadline; any member may look a name up in the unclaimed list
(``/portal/capital-credits/unclaimed/``, ``unclaimed.member_search``: by name, each word
two letters or more, so no listing of everyone), seeing the payee, the town of the last
known address, the retirement's year and the deadline, and the amount only for a check
of one of their own accounts. For their own check a member asks to claim it
(``unclaimed.request_claim``), confirming the mailing address it goes to: the request
waits for staff on the staff unclaimed page; recording the check claimed answers it. Only
the account's holder asks; a member the holder invited reads.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from coopcis.apps.audit.context import acting_as
from coopcis.apps.capital_credits.models import Payout, PayoutMethod
from coopcis.apps.capital_credits.queries import credit_history
from coopcis.apps.capital_credits.unclaimed import (
    claim_deadline,
    member_search,
    member_words,
    own_unclaimed,
    request_claim,
    town_of,
    waiting_claim,
)
from coopcis.apps.portal.access import (
    get_linked_account_or_404,
    linked_accounts,
    linked_or_404,
    member_required,
)
from coopcis.apps.portal.address_change import AddressForm
from coopcis.apps.portal.models import AccountLink, LinkRole
from coopcis.core.errors import RuleViolation
from coopcis.site.jobs import today

#: The longest search kept.
QUERY_MAX = 100


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
    unclaimed = own_unclaimed(account, on=today())
    for payout in unclaimed:
        payout.deadline = claim_deadline(payout.mailed_on)  # type: ignore[arg-type]
        payout.waiting = waiting_claim(payout)
    return render(
        request,
        "portal/capital_credits.html",
        {"account": account, "unclaimed": unclaimed, **history},
    )


@member_required
def unclaimed_checks(request: HttpRequest) -> HttpResponse:
    """The unclaimed list, searched by name: the amount and the claim only for the
    member's own accounts' checks."""
    query = request.GET.get("q", "").strip()[:QUERY_MAX]
    own = {account.pk: account.number for account in linked_accounts(request.user)}
    rows = []
    for payout in member_search(query, today=today()):
        mine = payout.account_id in own
        rows.append(
            {
                "payee": payout.payee,
                "town": town_of(payout.address),
                "year": payout.retirement.retired_on.year,
                "deadline": claim_deadline(payout.mailed_on),  # type: ignore[arg-type]
                "amount": payout.amount if mine else None,
                "number": own.get(payout.account_id),
                "payout_id": payout.pk if mine else None,
            }
        )
    context = {
        "query": query,
        "rows": rows,
        "searched": bool(query),
        "too_short": bool(query) and not member_words(query),
        "accounts": sorted(own.values()),
    }
    return render(request, "portal/unclaimed_checks.html", context)


@member_required
def claim_check(request: HttpRequest, number: str, payout_id: int) -> HttpResponse:
    """The holder asks to claim an unclaimed check of their account, confirming the
    mailing address; the request goes to staff."""
    account = get_linked_account_or_404(request.user, number)
    payout: Payout = linked_or_404(
        request.user,
        Payout.objects.select_related("retirement").filter(
            account=account, method=PayoutMethod.CHECK
        ),
        pk=payout_id,
    )
    holder = AccountLink.objects.filter(
        account=account, user=request.user, role=LinkRole.HOLDER
    ).exists()
    posted = request.method == "POST"
    initial = {
        "line1": account.mailing_line1,
        "line2": account.mailing_line2,
        "city": account.mailing_city,
        "state": account.mailing_state,
        "zip_code": account.mailing_zip,
    }
    form = AddressForm(request.POST if posted else None, initial=initial)
    status = 200
    if posted and not holder:
        status, form = 403, AddressForm(initial=initial)
    elif posted and form.is_valid():
        try:
            with (
                transaction.atomic(),
                acting_as(user=request.user, label=f"portal:{request.user.get_username()}"),
            ):
                request_claim(
                    payout=payout,
                    address=form.address(),
                    on=today(),
                    requested_by=f"portal:{request.user.get_username()}",
                )
        except RuleViolation as violation:
            form.add_error(
                None,
                _("A claim of this check is already waiting for the co-op.")
                if "already waiting" in violation.message
                else _("This check can no longer be claimed."),
            )
            status = 400
        else:
            messages.success(
                request,
                _("Your claim is sent. The co-op mails the check to the address you confirmed."),
            )
            return redirect("portal:capital_credits", number=account.number)
    elif posted:
        status = 400
    context = {
        "account": account,
        "payout": payout,
        "form": form,
        "holder": holder,
        "open": payout.status == "ISSUED"
        and payout.mailed_on is not None
        and claim_deadline(payout.mailed_on) >= today(),
        "deadline": claim_deadline(payout.mailed_on) if payout.mailed_on else None,
        "waiting": waiting_claim(payout),
    }
    return render(request, "portal/claim_check.html", context, status=status)
