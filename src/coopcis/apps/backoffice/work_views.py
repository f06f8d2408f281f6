"""The work queues the home page links to: meter-read exceptions, lockbox suspense,
collection steps due, refund checks. Each row is worked on its own page section with
the same service the command line uses (``coopcis reads resolve``, ``lockbox resolve``,
``payments.services.issue_refund_check``); collection steps link to the account page's
Collections card, where protections and agreements are recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from coopcis.apps.backoffice.forms import add_violation
from coopcis.apps.backoffice.permissions import staff_view
from coopcis.apps.backoffice.views import not_found, posted_data
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
SHOWN = 200


def _queue(
    request: HttpRequest,
    template: str,
    rows: list[Any],
    form_for: Callable[[Any], forms.Form],
    permission: str,
    **extra: object,
) -> HttpResponse:
    for row in rows:
        row.form = form_for(row)
    context = {"rows": rows, "can_work": request.user.has_perm(permission), **extra}
    return render(request, template, context)


def _work(
    request: HttpRequest,
    form: forms.Form,
    do: Callable[[dict[str, Any]], str],
    back: str,
    again: Callable[[forms.Form], HttpResponse],
) -> HttpResponse:
    """On a valid POST do the work (one service call, atomic) and go back to the queue;
    otherwise show the queue again with the refusal against the form's field."""
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                message = do(form.cleaned_data)
        except RuleViolation as violation:
            add_violation(form, violation)
        else:
            messages.success(request, message)
            return redirect(back)
    return again(form)


# -- meter-read exceptions ------------------------------------------------------------


def _open_exceptions() -> list[ReadException]:
    return list(
        ReadException.objects.filter(status=ExceptionStatus.OPEN)
        .select_related("meter", "read")
        .order_by("billing_month", "id")[:SHOWN]
    )


def _exceptions_page(request: HttpRequest, failed: ReadException | None = None) -> HttpResponse:
    rows = _open_exceptions()
    return _queue(
        request,
        "backoffice/work_read_exceptions.html",
        rows,
        lambda row: failed.form if failed is not None and row.pk == failed.pk else (
            ResolveExceptionForm(prefix=f"x{row.pk}")
        ),
        RESOLVE_EXCEPTION,
    )  # fmt: skip


@staff_view()
def read_exceptions(request: HttpRequest) -> HttpResponse:
    """Open VEE exceptions, oldest billing month first, each with accept or reject."""
    return _exceptions_page(request)


@staff_view(RESOLVE_EXCEPTION, action="resolve meter-read exceptions")
def read_exception_resolve(request: HttpRequest, exception_id: int) -> HttpResponse:
    exception = ReadException.objects.select_related("meter").filter(pk=exception_id).first()
    if exception is None:
        return not_found(request, f"read exception {exception_id}")
    form = ResolveExceptionForm(posted_data(request), prefix=f"x{exception.pk}")

    def do(data: dict[str, Any]) -> str:
        resolved = resolve_exception(exception=exception, status=data["status"], note=data["note"])
        return f"Exception {resolved.pk} on meter {exception.meter.serial}: {resolved.get_status_display()}."

    def again(bad: forms.Form) -> HttpResponse:
        exception.form = bad
        return _exceptions_page(request, failed=exception)

    return _work(request, form, do, "backoffice:read_exceptions", again)


# -- lockbox suspense ---------------------------------------------------------------------


def _suspense_page(request: HttpRequest, failed: SuspenseItem | None = None) -> HttpResponse:
    rows = list(
        SuspenseItem.objects.filter(status=SuspenseStatus.OPEN)
        .select_related("file")
        .order_by("deposit_date", "id")[:SHOWN]
    )
    return _queue(
        request,
        "backoffice/work_suspense.html",
        rows,
        lambda row: failed.form if failed is not None and row.pk == failed.pk else (
            ApplySuspenseForm(prefix=f"s{row.pk}")
        ),
        APPLY_SUSPENSE,
    )  # fmt: skip


@staff_view()
def suspense_items(request: HttpRequest) -> HttpResponse:
    """Lockbox payments that matched no account, each with a form to apply it."""
    return _suspense_page(request)


@staff_view(APPLY_SUSPENSE, action="apply lockbox suspense items")
def suspense_apply(request: HttpRequest, item_id: int) -> HttpResponse:
    item = SuspenseItem.objects.select_related("file").filter(pk=item_id).first()
    if item is None:
        return not_found(request, f"suspense item {item_id}")
    form = ApplySuspenseForm(posted_data(request), prefix=f"s{item.pk}")

    def do(data: dict[str, Any]) -> str:
        account = Account.objects.filter(number=data["account"].strip()).first()
        if account is None:
            raise RuleViolation(f"no account {data['account'].strip()}", field="account")
        resolve_suspense(item=item, account=account, note=data["note"], on=timezone.localdate())
        return f"Suspense item {item.pk} (${item.amount}) applied to account {account.number}."

    def again(bad: forms.Form) -> HttpResponse:
        item.form = bad
        return _suspense_page(request, failed=item)

    return _work(request, form, do, "backoffice:suspense_items", again)


# -- refund checks ------------------------------------------------------------------------


def _refunds_page(request: HttpRequest, failed: RefundRequest | None = None) -> HttpResponse:
    rows = list(
        RefundRequest.objects.filter(status=RefundStatus.REQUESTED)
        .select_related("account__party")
        .order_by("requested_on", "id")[:SHOWN]
    )
    return _queue(
        request,
        "backoffice/work_refunds.html",
        rows,
        lambda row: failed.form if failed is not None and row.pk == failed.pk else (
            RefundCheckForm(prefix=f"r{row.pk}")
        ),
        ISSUE_REFUND,
    )  # fmt: skip


@staff_view()
def refund_requests(request: HttpRequest) -> HttpResponse:
    """Refund checks requested and not yet issued."""
    return _refunds_page(request)


@staff_view(ISSUE_REFUND, action="record refund checks")
def refund_issue(request: HttpRequest, refund_id: int) -> HttpResponse:
    refund = RefundRequest.objects.select_related("account").filter(pk=refund_id).first()
    if refund is None:
        return not_found(request, f"refund {refund_id}")
    form = RefundCheckForm(posted_data(request), prefix=f"r{refund.pk}")

    def do(data: dict[str, Any]) -> str:
        issued = issue_refund_check(
            refund=refund, check_number=data["check_number"], on=timezone.localdate()
        )
        return f"Refund check {issued.check_number} (${issued.amount}) to account {refund.account.number} recorded."

    def again(bad: forms.Form) -> HttpResponse:
        refund.form = bad
        return _refunds_page(request, failed=refund)

    return _work(request, form, do, "backoffice:refund_requests", again)


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
