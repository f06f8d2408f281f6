"""The member's efficiency rebates in the portal (issue 13): the catalog in force today
with each measure's rule, the account's claims with their status and the co-op's answer,
and the claim form with its proof uploads. The claim goes through the rebates app's
``submit_claim``, which checks the files (PDF, JPEG or PNG by content, at most 5 MB), the
proof the measure requires, and the year's budget and per-account limit; a refusal is
shown against the form with the rule it cites, and nothing is recorded."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from coopcis.apps.audit.context import acting_as
from coopcis.apps.portal.access import get_linked_account_or_404, member_required
from coopcis.apps.portal.rebate_forms import MemberClaimForm
from coopcis.apps.portal.rebate_words import member_refusal
from coopcis.apps.rebates.card import rebates_card
from coopcis.apps.rebates.forms import REFUSAL_FIELDS
from coopcis.apps.staff.forms import add_violation
from coopcis.catalog.profiles import active_profile
from coopcis.catalog.rebates import load_rebate_catalog
from coopcis.core.errors import RuleViolation
from coopcis.site.jobs import today


@member_required
def rebates(request: HttpRequest, number: str) -> HttpResponse:
    account = get_linked_account_or_404(request.user, number)
    on = today()
    bound = request.method == "POST"
    form = MemberClaimForm(
        request.POST if bound else None, request.FILES if bound else None, today=on
    )
    if bound and form.is_valid():
        try:
            with (
                transaction.atomic(),
                acting_as(user=request.user, label=f"portal:{request.user.get_username()}"),
            ):
                made = form.submit(account=account, on=on)
        except RuleViolation as violation:
            add_violation(form, member_refusal(violation), REFUSAL_FIELDS)
        else:
            messages.success(
                request,
                _("Claim %(id)s sent: a rebate of $%(amount)s, waiting for the co-op's answer.")
                % {"id": made.pk, "amount": f"{made.rebate_amount:,}"},
            )
            return redirect("portal:rebates", number=account.number)
    catalog = load_rebate_catalog(active_profile().code, on=on)
    context = {
        "account": account,
        "form": form,
        "catalog": catalog,
        "measures": list(catalog.measures.values()),
        "claims": rebates_card(account)["claims"],
    }
    return render(request, "portal/programs/rebates.html", context, status=400 if bound else 200)
