"""Pay once, by card or by e-check, and the receipt.

The card or bank details become the processor's token (the simulator in development; a
real processor's hosted fields do it in the browser), then the payment goes through the
same submission path as the payment API's (``payments.online.pay_online``): once per form
(its idempotency key), under the ONLINE ceiling, posted at once. An approved payment is
receipted by email and shown on a page of its own (reloading it pays nothing again).
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from coopcis.apps.members.models import Account
from coopcis.apps.payments.gateway import CardRefused, Tokenizer, configured_gateway
from coopcis.apps.payments.models import Payment, Tender
from coopcis.apps.payments.online import pay_online
from coopcis.apps.portal.access import get_linked_account_or_404, member_required
from coopcis.apps.portal.bill_forms import CardPaymentForm, EcheckPaymentForm
from coopcis.apps.portal.bill_views import account_money
from coopcis.apps.portal.receipts import send_payment_receipt
from coopcis.core.errors import RuleViolation

CARD, ECHECK = "card", "echeck"


def tokenizer() -> Tokenizer:
    gateway = configured_gateway()
    if not isinstance(gateway, Tokenizer):
        raise Http404("this processor takes card details in its own hosted fields")
    return gateway


def _form(method: str, data: Any = None, account: Account | None = None) -> forms.Form:
    form_class = EcheckPaymentForm if method == ECHECK else CardPaymentForm
    initial = {}
    if data is None and account is not None:
        due = account_money(account)["amount_due"]
        initial = {"amount": f"{due:.2f}"} if due else {}
    form = form_class(data, initial=initial)
    if isinstance(form, CardPaymentForm):
        form.today = timezone.localdate()
    return form


def _token(method: str, data: dict[str, Any]) -> str:
    processor = tokenizer()
    if method == ECHECK:
        return processor.tokenize_bank_account(
            routing_number=data["routing_number"],
            account_number=data["bank_account_number"],
            holder_name=data["holder_name"],
        ).token
    month, year = data["expiry"]
    return processor.tokenize_card(
        number=data["card_number"],
        expiry_month=month,
        expiry_year=year,
        cvc=data["cvc"],
        name=data["card_name"],
    ).token


@member_required
def pay(request: HttpRequest, number: str) -> HttpResponse:
    """One payment now: ``?method=echeck`` for an e-check, a card otherwise."""
    account = get_linked_account_or_404(request.user, number)
    method = ECHECK if request.GET.get("method") == ECHECK else CARD
    form = _form(method, request.POST if request.method == "POST" else None, account)
    if request.method == "POST" and form.is_valid():
        done = _pay(request, account, method, form)
        if done is not None:
            return done
    context = {"account": account, "form": form, "method": method, **account_money(account)}
    return render(request, "portal/bills/pay.html", context)


def _pay(
    request: HttpRequest, account: Account, method: str, form: forms.Form
) -> HttpResponse | None:
    data = form.cleaned_data
    try:
        token = _token(method, data)
        with transaction.atomic():
            outcome = pay_online(
                account=account,
                amount=data["amount"],
                tender=Tender.ACH if method == ECHECK else Tender.CARD,
                token=token,
                idempotency_key=f"portal:{account.pk}:{data['idempotency_key']}",
                received_on=timezone.localdate(),
                now=timezone.now(),
                gateway=configured_gateway(),
            )
    except CardRefused as refused:
        form.add_error(refused.field if refused.field in form.fields else None, refused.message)
        return None
    except RuleViolation as violation:
        visible = {field.name for field in form.visible_fields()}
        field = violation.field if violation.field in visible else None
        form.add_error(field, violation.message)
        return None
    if outcome.payment is not None:
        if outcome.first:
            send_payment_receipt(outcome.payment)
        return redirect("portal:payment_done", number=account.number, payment_id=outcome.payment.pk)
    if not outcome.declined:
        form.add_error(
            None,
            _("The card processor has not answered yet. Send the form again in a moment: "
              "you will not be charged twice."),
        )  # fmt: skip
        return None
    form.add_error(None, _("Your payment was declined: %(reason)s.") % {"reason": outcome.declined})
    # another card may be tried: the same form with a new key, the card details cleared
    fresh = request.POST.copy()
    fresh["idempotency_key"] = uuid.uuid4().hex
    for name in ("card_number", "cvc", "bank_account_number"):
        fresh[name] = ""
    form.data = fresh
    return None


@member_required
def payment_done(request: HttpRequest, number: str, payment_id: int) -> HttpResponse:
    """The payment as posted, with the balance after it."""
    account = get_linked_account_or_404(request.user, number)
    payment = Payment.objects.filter(account=account, pk=payment_id).first()
    if payment is None:
        raise Http404
    return render(
        request,
        "portal/bills/paid.html",
        {"account": account, "payment": payment, **account_money(account)},
    )
