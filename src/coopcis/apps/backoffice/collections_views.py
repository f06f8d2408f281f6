"""The Collections card's forms (protections staff record) and the notice and deposit
receipt PDFs.

Each form page calls one service of ``coopcis.apps.collections.services``; a refusal is
shown against the field it names, and a recorded protection takes staff back to the
account's Collections card.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from coopcis.apps.backoffice import permissions as perms
from coopcis.apps.backoffice import protections
from coopcis.apps.backoffice.collections_forms import (
    CertificateForm,
    DisputeForm,
    HoldForm,
    LiheapForm,
    PaymentAgreementForm,
    ReleaseHoldForm,
    ResolveDisputeForm,
    ThirdPartyForm,
)
from coopcis.apps.backoffice.forms import add_violation
from coopcis.apps.backoffice.permissions import staff_view
from coopcis.apps.backoffice.views import account_or_404, change_page
from coopcis.apps.collections import services
from coopcis.apps.collections.models import CoopHold, Dispute, Notice
from coopcis.apps.credit.models import DepositReceipt
from coopcis.apps.members.models import Account
from coopcis.core.errors import RuleViolation

#: Records a protection from the form's cleaned data; returns the message staff see.
Record = Callable[[dict[str, Any]], str]


def _not_found(request: HttpRequest, what: str) -> HttpResponse:
    return render(request, "backoffice/not_found.html", {"what": what}, status=404)


def _back_to_collections(account: Account) -> HttpResponse:
    url = reverse("backoffice:account", kwargs={"number": account.number})
    return redirect(f"{url}#collections")


def _form_page(
    request: HttpRequest, account: Account, form: forms.Form, title: str, record: Record
) -> HttpResponse:
    """Show the form; on a valid POST record it, and go back to the card or show why not."""
    if request.method == "POST" and form.is_valid():
        try:
            message = record(form.cleaned_data)
        except RuleViolation as violation:
            add_violation(form, violation)
        else:
            messages.success(request, message)
            return _back_to_collections(account)
    return change_page(request, account, form, title)


def _data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


@staff_view(perms.RECORD_CERTIFICATE, action="record seriously-ill certificates")
def certificate_new(request: HttpRequest, number: str) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    form = CertificateForm(
        _data(request), account=account, initial={"received_on": protections.today()}
    )

    def record(data: dict[str, Any]) -> str:
        made = services.record_certificate(account=account, **data)
        return f"Seriously-ill certificate recorded for bill {made.bill.number}."

    return _form_page(request, account, form, "Record a seriously-ill certificate", record)


@staff_view(perms.RECORD_LIHEAP, action="record LIHEAP qualification")
def liheap_new(request: HttpRequest, number: str) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    form = LiheapForm(_data(request), initial={"qualified_on": protections.today()})

    def record(data: dict[str, Any]) -> str:
        made = services.record_liheap(account=account, **data)
        return f"LIHEAP qualification recorded for the heating season from {made.season_start}."

    return _form_page(request, account, form, "Record LIHEAP qualification", record)


@staff_view(perms.MAKE_PAYMENT_AGREEMENT, action="make payment agreements")
def payment_agreement_new(request: HttpRequest, number: str) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    on = protections.today()
    initial = {
        "made_on": on,
        "total_amount": services.past_due_amount(account, as_of=on).amount,
        "down_payment_amount": 0,
        "every_days": 30,
    }
    form = PaymentAgreementForm(_data(request), initial=initial)

    def record(data: dict[str, Any]) -> str:
        made = services.make_agreement(account=account, **data)
        return f"{made.get_kind_display()} made: {made.installments.count()} payment(s)."

    return _form_page(request, account, form, "Make a payment agreement", record)


@staff_view(perms.OPEN_DISPUTE, action="open disputes")
def dispute_new(request: HttpRequest, number: str) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    form = DisputeForm(_data(request), account=account, initial={"opened_on": protections.today()})

    def record(data: dict[str, Any]) -> str:
        made = services.open_dispute(account=account, **data)
        return f"Dispute of ${made.amount} opened: under investigation."

    return _form_page(request, account, form, "Open a dispute", record)


@staff_view(perms.RESOLVE_DISPUTE, action="resolve disputes")
def dispute_resolve(request: HttpRequest, number: str, dispute_id: int) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    dispute = Dispute.objects.filter(pk=dispute_id, account=account).first()
    if dispute is None:
        return _not_found(request, f"dispute {dispute_id} on account {account.number}")
    form = ResolveDisputeForm(_data(request), initial={"on": protections.today()})

    def record(data: dict[str, Any]) -> str:
        services.resolve_dispute(dispute, **data)
        return f"Dispute of ${dispute.amount} resolved."

    title = f"Resolve the dispute of ${dispute.amount} opened {dispute.opened_on:%Y-%m-%d}"
    return _form_page(request, account, form, title, record)


@staff_view(perms.PLACE_HOLD, action="place co-op holds")
def hold_new(request: HttpRequest, number: str) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    form = HoldForm(_data(request), initial={"on": protections.today()})

    def record(data: dict[str, Any]) -> str:
        services.place_hold(account=account, **data)
        return "Co-op hold placed on collection."

    return _form_page(request, account, form, "Place a co-op hold", record)


@staff_view(perms.RELEASE_HOLD, action="release co-op holds")
def hold_release(request: HttpRequest, number: str, hold_id: int) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    hold = CoopHold.objects.filter(pk=hold_id, account=account, released_on__isnull=True).first()
    if hold is None:
        return _not_found(request, f"unreleased hold {hold_id} on account {account.number}")
    form = ReleaseHoldForm(_data(request), initial={"on": protections.today()})

    def record(data: dict[str, Any]) -> str:
        services.release_hold(hold, **data)
        return f"Co-op hold released: {hold.reason}."

    return _form_page(request, account, form, f"Release the hold: {hold.reason}", record)


@staff_view(perms.NAME_THIRD_PARTY, action="name third parties")
def third_party_new(request: HttpRequest, number: str) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    form = ThirdPartyForm(_data(request), initial={"named_on": protections.today()})

    def record(data: dict[str, Any]) -> str:
        made = services.name_third_party(account=account, **data)
        return f"{made.name} will receive copies of disconnection notices."

    return _form_page(request, account, form, "Name a third party for notices", record)


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@staff_view()
def notice_pdf(request: HttpRequest, notice_id: int) -> HttpResponse:
    """A notice's PDF as it was sent (what ``coopcis collections notice-pdf`` writes)."""
    notice = Notice.objects.select_related("account").filter(pk=notice_id).first()
    if notice is None:
        return _not_found(request, f"notice {notice_id}")
    return _pdf(bytes(notice.pdf), f"notice-{notice.account.number}-{notice.pk}.pdf")


@staff_view()
def deposit_receipt_pdf(request: HttpRequest, receipt_id: int) -> HttpResponse:
    """A deposit receipt as issued (what ``coopcis deposits receipt`` writes)."""
    receipt = DepositReceipt.objects.filter(pk=receipt_id).first()
    if receipt is None:
        return _not_found(request, f"deposit receipt {receipt_id}")
    filename = f"deposit-{receipt.deposit_id}-receipt-{receipt.language.lower()}.pdf"
    return _pdf(bytes(receipt.pdf), filename)
