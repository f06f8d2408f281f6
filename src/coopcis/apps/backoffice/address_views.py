"""Mailing address changes members ask for in the portal, on staff's work list: confirm
(the account's mailing address changes, audited) or decline with a reason the member reads
(:mod:`coopcis.apps.members.address_changes`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from coopcis.apps.backoffice.permissions import EDIT_ACCOUNT, staff_view
from coopcis.apps.backoffice.request_views import WorkList
from coopcis.apps.backoffice.views import not_found
from coopcis.apps.members.address_changes import confirm_address_change, decline_address_change
from coopcis.apps.members.models import AddressChangeRequest, AddressRequestStatus

WORK_LIST = WorkList(
    template="backoffice/work_addresses.html",
    waiting=lambda: (
        AddressChangeRequest.objects.filter(status=AddressRequestStatus.REQUESTED)
        .select_related("account__party")
        .order_by("requested_on", "id")
    ),
    permission=EDIT_ACCOUNT,
    url="backoffice:address_requests",
    form_prefix="r",
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

    def confirm() -> str:
        confirm_address_change(request=found, on=timezone.localdate())
        return f"Account {found.account.number} now mails to {found.address.one_line()}."

    return WORK_LIST.answer(request, found, confirm)


@require_POST
@staff_view(EDIT_ACCOUNT, action="edit accounts")
def address_decline(request: HttpRequest, request_id: int) -> HttpResponse:
    found = _request(request_id)
    if found is None:
        return not_found(request, f"address change request {request_id}")

    def decline(data: dict[str, str]) -> str:
        decline_address_change(request=found, on=timezone.localdate(), reason=data["reason"])
        return f"Address change for account {found.account.number} declined."

    return WORK_LIST.work(request, found, decline)
