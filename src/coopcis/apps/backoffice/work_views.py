"""The work queues the home page links to: meter-read exceptions, lockbox suspense,
collection steps due, refund checks. Each row is worked on its own page section with
the same service the command line uses (``coopcis reads resolve``, ``lockbox resolve``,
``payments.services.issue_refund_check``); collection steps link to the account page's
Collections card, where protections and agreements are recorded.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from coopcis.apps.backoffice.permissions import staff_view
from coopcis.apps.backoffice.request_views import SHOWN, WorkList
from coopcis.apps.backoffice.views import not_found
from coopcis.apps.backoffice.work_forms import (
    ApplySuspenseForm,
    RefundCheckForm,
    ResolveExceptionForm,
)
from coopcis.apps.backoffice.worklist import collections_due
from coopcis.apps.collections.models import CollectionCase, ServiceOrder
from coopcis.apps.members.models import Account
from coopcis.apps.metering.models import ExceptionStatus, ReadException
from coopcis.apps.metering.vee import resolve_exception
from coopcis.apps.payments.lockbox.importing import resolve_suspense
from coopcis.apps.payments.lockbox.models import SuspenseStatus
from coopcis.apps.payments.models import RefundRequest, RefundStatus, SuspenseItem
from coopcis.apps.payments.services import issue_refund_check
from coopcis.core.errors import RuleViolation

RESOLVE_EXCEPTION = "metering.change_readexception"
APPLY_SUSPENSE = "payments.change_suspenseitem"
ISSUE_REFUND = "payments.change_refundrequest"


# -- meter-read exceptions ------------------------------------------------------------

EXCEPTIONS = WorkList(
    template="backoffice/work_read_exceptions.html",
    waiting=lambda: (
        ReadException.objects.filter(status=ExceptionStatus.OPEN)
        .select_related("meter", "read")
        .order_by("billing_month", "id")
    ),
    permission=RESOLVE_EXCEPTION,
    url="backoffice:read_exceptions",
    form_prefix="x",
    row_form=ResolveExceptionForm,
)


@staff_view()
def read_exceptions(request: HttpRequest) -> HttpResponse:
    """Open VEE exceptions, oldest billing month first, each with accept or reject."""
    return EXCEPTIONS.page(request)


@staff_view(RESOLVE_EXCEPTION, action="resolve meter-read exceptions")
def read_exception_resolve(request: HttpRequest, exception_id: int) -> HttpResponse:
    exception = ReadException.objects.select_related("meter").filter(pk=exception_id).first()
    if exception is None:
        return not_found(request, f"read exception {exception_id}")

    def do(data: dict[str, Any]) -> str:
        resolved = resolve_exception(exception=exception, status=data["status"], note=data["note"])
        return f"Exception {resolved.pk} on meter {exception.meter.serial}: {resolved.get_status_display()}."

    return EXCEPTIONS.work(request, exception, do)


# -- lockbox suspense ---------------------------------------------------------------------

SUSPENSE = WorkList(
    template="backoffice/work_suspense.html",
    waiting=lambda: (
        SuspenseItem.objects.filter(status=SuspenseStatus.OPEN)
        .select_related("file")
        .order_by("deposit_date", "id")
    ),
    permission=APPLY_SUSPENSE,
    url="backoffice:suspense_items",
    form_prefix="s",
    row_form=ApplySuspenseForm,
)


@staff_view()
def suspense_items(request: HttpRequest) -> HttpResponse:
    """Lockbox payments that matched no account, each with a form to apply it."""
    return SUSPENSE.page(request)


@staff_view(APPLY_SUSPENSE, action="apply lockbox suspense items")
def suspense_apply(request: HttpRequest, item_id: int) -> HttpResponse:
    item = SuspenseItem.objects.select_related("file").filter(pk=item_id).first()
    if item is None:
        return not_found(request, f"suspense item {item_id}")

    def do(data: dict[str, Any]) -> str:
        account = Account.objects.filter(number=data["account"].strip()).first()
        if account is None:
            raise RuleViolation(f"no account {data['account'].strip()}", field="account")
        resolve_suspense(item=item, account=account, note=data["note"], on=timezone.localdate())
        return f"Suspense item {item.pk} (${item.amount}) applied to account {account.number}."

    return SUSPENSE.work(request, item, do)


# -- refund checks ------------------------------------------------------------------------

REFUNDS = WorkList(
    template="backoffice/work_refunds.html",
    waiting=lambda: (
        RefundRequest.objects.filter(status=RefundStatus.REQUESTED)
        .select_related("account__party")
        .order_by("requested_on", "id")
    ),
    permission=ISSUE_REFUND,
    url="backoffice:refund_requests",
    form_prefix="r",
    row_form=RefundCheckForm,
)


@staff_view()
def refund_requests(request: HttpRequest) -> HttpResponse:
    """Refund checks requested and not yet issued."""
    return REFUNDS.page(request)


@staff_view(ISSUE_REFUND, action="record refund checks")
def refund_issue(request: HttpRequest, refund_id: int) -> HttpResponse:
    refund = RefundRequest.objects.select_related("account").filter(pk=refund_id).first()
    if refund is None:
        return not_found(request, f"refund {refund_id}")

    def do(data: dict[str, Any]) -> str:
        issued = issue_refund_check(
            refund=refund, check_number=data["check_number"], on=timezone.localdate()
        )
        return f"Refund check {issued.check_number} (${issued.amount}) to account {refund.account.number} recorded."

    return REFUNDS.work(request, refund, do)


# -- collection steps due -----------------------------------------------------------------


@staff_view()
def collections_due_list(request: HttpRequest) -> HttpResponse:
    """Collection cases whose next step is due by today and field orders scheduled by
    today, each linking to the account's Collections card."""
    cases_due, orders_due = collections_due(timezone.localdate())
    cases = list(
        CollectionCase.objects.filter(cases_due)
        .select_related("account__party")
        .order_by("next_step_on", "id")[:SHOWN]
    )
    orders = list(
        ServiceOrder.objects.filter(orders_due)
        .select_related("account__party")
        .order_by("scheduled_on", "id")[:SHOWN]
    )
    return render(
        request,
        "backoffice/work_collections.html",
        {"cases": cases, "orders": orders, "due_count": len(cases) + len(orders)},
    )
