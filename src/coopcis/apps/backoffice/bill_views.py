"""Held bills from the back office: the queue, the review page, release and cancel.

The pages call the same services as ``coopcis billing release|cancel [--rebill]``
(:mod:`coopcis.apps.billing.corrections`). The views live in the back office, with the
billing app's forms and templates, so that billing never imports the back office (no
import circle between the two apps).
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from coopcis.apps.audit.models import ReadKind
from coopcis.apps.audit.reads import record_read
from coopcis.apps.backoffice.forms import add_violation
from coopcis.apps.backoffice.permissions import staff_view
from coopcis.apps.backoffice.views import not_found, posted_data
from coopcis.apps.billing.corrections import cancel_bill, rebill, release_bill
from coopcis.apps.billing.forms import CancelForm, ReleaseForm
from coopcis.apps.billing.holds import held_bills, reason_text
from coopcis.apps.billing.models import Bill, BillStatus
from coopcis.apps.billing.pdf import load_bill_documents
from coopcis.core.errors import RuleViolation

REVIEW_BILLS = "billing.change_bill"
HELD_SHOWN = 200


@staff_view()
def held_list(request: HttpRequest) -> HttpResponse:
    """Bills held for review, with their reasons (one query)."""
    bills = list(held_bills()[:HELD_SHOWN])
    for bill in bills:
        bill.reason_texts = [reason_text(code) for code in bill.hold_reasons]
    total = held_bills().count() if len(bills) == HELD_SHOWN else len(bills)
    return render(request, "billing/held_list.html", {"bills": bills, "total": total})


def _bill(bill_id: int) -> Bill | None:
    return (
        Bill.objects.select_related("account__party", "service_point__premise", "replaces")
        .filter(pk=bill_id)
        .first()
    )


def _review_page(
    request: HttpRequest,
    bill: Bill,
    release: ReleaseForm | None = None,
    cancel: CancelForm | None = None,
) -> HttpResponse:
    [document] = load_bill_documents([bill.pk])
    context = {
        "bill": bill,
        "document": document,
        "reasons": [reason_text(code) for code in bill.hold_reasons],
        "usage_points": [(month.period, month.energy_kwh) for month in document.usage],
        "release_form": release or ReleaseForm(),
        "cancel_form": cancel or CancelForm(),
        "can_review": request.user.has_perm(REVIEW_BILLS),
        "replaced_by": Bill.objects.filter(replaces=bill).first(),
    }
    return render(request, "billing/bill_review.html", context)


@staff_view()
def bill_review(request: HttpRequest, bill_id: int) -> HttpResponse:
    """A bill with why it was held, its charges, reads and the member's 13 months of use."""
    bill = _bill(bill_id)
    if bill is None:
        return not_found(request, f"bill {bill_id}")
    record_read(request, account_number=bill.account.number, kind=ReadKind.BILL_PAGE)
    return _review_page(request, bill)


@staff_view(REVIEW_BILLS, action="release or cancel bills")
def bill_release(request: HttpRequest, bill_id: int) -> HttpResponse:
    """Post a held bill as it is, with the note saying why it is right."""
    bill = _bill(bill_id)
    if bill is None:
        return not_found(request, f"bill {bill_id}")
    form = ReleaseForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            released = release_bill(bill=bill, note=form.cleaned_data["note"])
        except RuleViolation as violation:
            add_violation(form, violation)
        else:
            messages.success(
                request, f"Released and posted bill {released.number} (${released.total_amount})."
            )
            return redirect("backoffice:held_bills")
    return _review_page(request, bill, release=form)


@staff_view(REVIEW_BILLS, action="release or cancel bills")
def bill_cancel(request: HttpRequest, bill_id: int) -> HttpResponse:
    """Cancel a bill (a posted one is reversed on the books) and, if asked, rebill the
    month from the reads as they are now. Both happen or neither does."""
    bill = _bill(bill_id)
    if bill is None:
        return not_found(request, f"bill {bill_id}")
    form = CancelForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                cancelled = cancel_bill(
                    bill=bill, reason=form.cleaned_data["reason"], on=timezone.localdate()
                )
                new = rebill(cancelled=cancelled) if form.cleaned_data["rebill"] else None
        except RuleViolation as violation:
            add_violation(form, violation, {"bill": None})
        else:
            if new is None:
                messages.success(request, f"Cancelled bill {cancelled.number}.")
                return redirect("backoffice:held_bills")
            messages.success(
                request,
                f"Cancelled bill {cancelled.number}; rebilled as {new.number}: "
                f"${new.total_amount} ({new.get_status_display()}).",
            )
            if new.status == BillStatus.HELD:
                return redirect(reverse("backoffice:bill_review", kwargs={"bill_id": new.pk}))
            return redirect("backoffice:held_bills")
    return _review_page(request, bill, cancel=form)
