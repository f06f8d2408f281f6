"""Payment arrangement requests from the member portal, on staff's work list: approve
(the installment agreement is made) or decline with a reason the member reads
(:mod:`coopcis.apps.collections.arrangements`)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from coopcis.apps.backoffice.permissions import MAKE_PAYMENT_AGREEMENT, staff_view
from coopcis.apps.backoffice.request_views import WorkList
from coopcis.apps.backoffice.views import not_found
from coopcis.apps.collections.arrangements import approve_arrangement, decline_arrangement
from coopcis.apps.collections.models import ArrangementRequest, ArrangementStatus


def _rest(row: ArrangementRequest) -> None:
    row.rest = row.owed_amount - row.amount_now  # type: ignore[attr-defined]


WORK_LIST = WorkList(
    template="backoffice/work_arrangements.html",
    waiting=lambda: (
        ArrangementRequest.objects.filter(status=ArrangementStatus.REQUESTED)
        .select_related("account__party")
        .order_by("requested_on", "id")
    ),
    permission=MAKE_PAYMENT_AGREEMENT,
    url="backoffice:arrangement_requests",
    form_prefix="a",
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

    def approve() -> str:
        approved = approve_arrangement(request=found, on=timezone.localdate())
        return (
            f"Installment agreement made for account {found.account.number}: "
            f"${approved.amount_now} now, the rest over {approved.months} month(s)."
        )

    return WORK_LIST.answer(request, found, approve)


@require_POST
@staff_view(MAKE_PAYMENT_AGREEMENT, action="make payment agreements")
def arrangement_decline(request: HttpRequest, request_id: int) -> HttpResponse:
    found = _request(request_id)
    if found is None:
        return not_found(request, f"arrangement request {request_id}")

    def decline(data: dict[str, str]) -> str:
        decline_arrangement(request=found, on=timezone.localdate(), reason=data["reason"])
        return f"Request from account {found.account.number} declined."

    return WORK_LIST.work(request, found, decline)
