"""Payment arrangement requests from the member portal, on staff's work list: approve
(the installment agreement is made) or decline with a reason the member reads
(:mod:`coopcis.apps.collections.arrangements`)."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from coopcis.apps.backoffice.permissions import MAKE_PAYMENT_AGREEMENT, staff_view
from coopcis.apps.backoffice.request_views import DeclineForm, RequestList, decline_posted
from coopcis.apps.backoffice.views import not_found, posted_data
from coopcis.apps.collections.arrangements import approve_arrangement, decline_arrangement
from coopcis.apps.collections.models import ArrangementRequest, ArrangementStatus
from coopcis.core.errors import RuleViolation


def _rest(row: ArrangementRequest) -> None:
    row.rest = row.owed_amount - row.amount_now  # type: ignore[attr-defined]


WORK_LIST = RequestList(
    template="backoffice/work_arrangements.html",
    waiting=lambda: (
        ArrangementRequest.objects.filter(status=ArrangementStatus.REQUESTED)
        .select_related("account__party")
        .order_by("requested_on", "id")
    ),
    permission=MAKE_PAYMENT_AGREEMENT,
    decline_prefix="a",
    dress=_rest,
)


@staff_view()
def arrangement_requests(request: HttpRequest) -> HttpResponse:
    """Members' requests for a payment arrangement, oldest first."""
    return WORK_LIST.page(request)


def _request(request_id: int) -> ArrangementRequest | None:
    return ArrangementRequest.objects.select_related("account").filter(pk=request_id).first()


@require_POST
@staff_view(MAKE_PAYMENT_AGREEMENT, action="make payment agreements")
def arrangement_approve(request: HttpRequest, request_id: int) -> HttpResponse:
    found = _request(request_id)
    if found is None:
        return not_found(request, f"arrangement request {request_id}")
    try:
        with transaction.atomic():
            approved = approve_arrangement(request=found, on=timezone.localdate())
    except RuleViolation as violation:
        messages.error(request, f"Account {found.account.number}: {violation.message}")
    else:
        messages.success(
            request,
            f"Installment agreement made for account {found.account.number}: "
            f"${approved.amount_now} now, the rest over {approved.months} month(s).",
        )
    return redirect("backoffice:arrangement_requests")


@require_POST
@staff_view(MAKE_PAYMENT_AGREEMENT, action="make payment agreements")
def arrangement_decline(request: HttpRequest, request_id: int) -> HttpResponse:
    found = _request(request_id)
    if found is None:
        return not_found(request, f"arrangement request {request_id}")
    form = DeclineForm(posted_data(request), prefix=f"a{found.pk}")
    if decline_posted(
        form, lambda on, reason: decline_arrangement(request=found, on=on, reason=reason)
    ):
        messages.success(request, f"Request from account {found.account.number} declined.")
        return redirect("backoffice:arrangement_requests")
    found.form = form
    return WORK_LIST.page(request, failed=found)
