"""Mailing address changes members ask for in the portal, on staff's work list: confirm
(the account's mailing address changes, audited) or decline with a reason the member reads
(:mod:`coopcis.apps.members.address_changes`)."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from coopcis.apps.backoffice.permissions import EDIT_ACCOUNT, staff_view
from coopcis.apps.backoffice.request_views import DeclineForm, RequestList, decline_posted
from coopcis.apps.backoffice.views import not_found, posted_data
from coopcis.apps.members.address_changes import confirm_address_change, decline_address_change
from coopcis.apps.members.models import AddressChangeRequest, AddressRequestStatus
from coopcis.core.errors import RuleViolation

WORK_LIST = RequestList(
    template="backoffice/work_addresses.html",
    waiting=lambda: (
        AddressChangeRequest.objects.filter(status=AddressRequestStatus.REQUESTED)
        .select_related("account__party")
        .order_by("requested_on", "id")
    ),
    permission=EDIT_ACCOUNT,
    decline_prefix="r",
)


@staff_view()
def address_requests(request: HttpRequest) -> HttpResponse:
    """Members' requests for a new mailing address, oldest first."""
    return WORK_LIST.page(request)


def _request(request_id: int) -> AddressChangeRequest | None:
    return AddressChangeRequest.objects.select_related("account").filter(pk=request_id).first()


@require_POST
@staff_view(EDIT_ACCOUNT, action="edit accounts")
def address_confirm(request: HttpRequest, request_id: int) -> HttpResponse:
    found = _request(request_id)
    if found is None:
        return not_found(request, f"address change request {request_id}")
    try:
        with transaction.atomic():
            confirm_address_change(request=found, on=timezone.localdate())
    except RuleViolation as violation:
        messages.error(request, f"Account {found.account.number}: {violation.message}")
    else:
        messages.success(
            request,
            f"Account {found.account.number} now mails to {found.address.one_line()}.",
        )
    return redirect("backoffice:address_requests")


@require_POST
@staff_view(EDIT_ACCOUNT, action="edit accounts")
def address_decline(request: HttpRequest, request_id: int) -> HttpResponse:
    found = _request(request_id)
    if found is None:
        return not_found(request, f"address change request {request_id}")
    form = DeclineForm(posted_data(request), prefix=f"r{found.pk}")
    if decline_posted(
        form, lambda on, reason: decline_address_change(request=found, on=on, reason=reason)
    ):
        messages.success(request, f"Address change for account {found.account.number} declined.")
        return redirect("backoffice:address_requests")
    found.form = form
    return WORK_LIST.page(request, failed=found)
