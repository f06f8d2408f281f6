"""Back-office pages that correct a payment: void it the same day, reverse it later, and
print its receipt. One domain call per view (``payments.corrections``)."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from coopcis.apps.payments.corrections import (
    can_reverse,
    can_void,
    reverse_posted_payment,
    void_payment,
)
from coopcis.apps.payments.models import Payment
from coopcis.apps.payments.receipt import receipt_pdf
from coopcis.apps.staff.access import staff_view
from coopcis.apps.staff.forms import add_violation
from coopcis.core.errors import RuleViolation

VIEW_PAYMENTS = "payments.view_payment"
VOID_PAYMENT = "payments.void_payment"
REVERSE_PAYMENT = "payments.reverse_payment"


class CorrectionForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=200,
        help_text="Why: e.g. keyed to the wrong account, wrong amount, duplicate",
    )


def _payment(payment_id: int) -> Payment | None:
    return (
        Payment.objects.select_related("account__party", "cashier_batch")
        .filter(pk=payment_id)
        .first()
    )


def _not_found(request: HttpRequest, payment_id: int) -> HttpResponse:
    return render(
        request, "backoffice/not_found.html", {"what": f"payment {payment_id}"}, status=404
    )


def _correct(
    request: HttpRequest,
    payment_id: int,
    *,
    title: str,
    button: str,
    allowed: Callable[[Payment], bool],
    record: Callable[[Payment, str], Payment],
    done: str,
) -> HttpResponse:
    payment = _payment(payment_id)
    if payment is None:
        return _not_found(request, payment_id)
    form = CorrectionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            payment = record(payment, form.cleaned_data["reason"])
        except RuleViolation as violation:
            add_violation(form, violation, {"payment": None, "on": None})
        else:
            messages.success(request, f"Payment {payment.pk} of ${payment.amount} {done}.")
            if payment.cashier_batch_id is not None and done == "voided":
                return redirect(
                    reverse(
                        "backoffice:cashier_batch", kwargs={"batch_id": payment.cashier_batch_id}
                    )
                )
            url = reverse("backoffice:account", kwargs={"number": payment.account.number})
            return redirect(f"{url}#balance")
    return render(
        request,
        "backoffice/payment_correct.html",
        {
            "payment": payment,
            "account": payment.account,
            "form": form,
            "title": title,
            "button": button,
            "allowed": allowed(payment),
        },
    )


@staff_view(VOID_PAYMENT, action="void payments")
def payment_void(request: HttpRequest, payment_id: int) -> HttpResponse:
    """Void a payment taken today into a batch that is still open."""
    today = timezone.localdate()
    return _correct(
        request,
        payment_id,
        title=f"Void payment {payment_id}",
        button="Void payment",
        allowed=lambda payment: can_void(payment, on=today),
        record=lambda payment, reason: void_payment(payment=payment, on=today, reason=reason),
        done="voided",
    )


@staff_view(REVERSE_PAYMENT, action="reverse payments")
def payment_reverse(request: HttpRequest, payment_id: int) -> HttpResponse:
    """Reverse a posted payment today: reversing entry, its charges open again."""
    today = timezone.localdate()
    return _correct(
        request,
        payment_id,
        title=f"Reverse payment {payment_id}",
        button="Reverse payment",
        allowed=lambda payment: can_reverse(payment, on=today),
        record=lambda payment, reason: reverse_posted_payment(
            payment=payment, on=today, reason=reason
        ),
        done="reversed",
    )


@staff_view(VIEW_PAYMENTS)
def payment_receipt(request: HttpRequest, payment_id: int) -> HttpResponse:
    """The payment's printed receipt (PDF), printed again whenever asked."""
    payment = _payment(payment_id)
    if payment is None:
        return _not_found(request, payment_id)
    response = HttpResponse(receipt_pdf(payment), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{payment.pk}.pdf"'
    return response
