"""The Collections card's forms (protections staff record) and the notice and deposit
receipt PDFs.

Each form page calls one service of ``coopcis.apps.collections.services``; a refusal is
shown against the field it names, and a recorded protection takes staff back to the
account's Collections card.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

from coopcis.apps.audit.models import ReadKind
from coopcis.apps.audit.reads import record_read
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
from coopcis.apps.backoffice.permissions import staff_view
from coopcis.apps.backoffice.views import account_or_404, form_page, not_found, posted_data
from coopcis.apps.collections import services
from coopcis.apps.collections.models import CoopHold, Dispute, Notice
from coopcis.apps.credit.models import DepositReceipt

#: The account page's card these forms go back to.
CARD = "collections"


@staff_view(perms.RECORD_CERTIFICATE, action="record seriously-ill certificates")
def certificate_new(request: HttpRequest, number: str) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    form = CertificateForm(
        posted_data(request), account=account, initial={"received_on": protections.today()}
    )

    def record(data: dict[str, Any]) -> str:
        made = services.record_certificate(account=account, **data)
        return f"Seriously-ill certificate recorded for bill {made.bill.number}."

    return form_page(
        request, account, form, "Record a seriously-ill certificate", record, card=CARD
    )


@staff_view(perms.RECORD_LIHEAP, action="record LIHEAP qualification")
def liheap_new(request: HttpRequest, number: str) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    form = LiheapForm(posted_data(request), initial={"qualified_on": protections.today()})

    def record(data: dict[str, Any]) -> str:
        made = services.record_liheap(account=account, **data)
        return f"LIHEAP qualification recorded for the heating season from {made.season_start}."

    return form_page(request, account, form, "Record LIHEAP qualification", record, card=CARD)


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
    form = PaymentAgreementForm(posted_data(request), initial=initial)

    def record(data: dict[str, Any]) -> str:
        shown = {name: value for name, value in data.items() if name != "total_amount"}
        made = services.make_agreement(account=account, **shown)
        return f"{made.get_kind_display()} made: {made.installments.count()} payment(s)."

    return form_page(request, account, form, "Make a payment agreement", record, card=CARD)


@staff_view(perms.OPEN_DISPUTE, action="open disputes")
def dispute_new(request: HttpRequest, number: str) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    form = DisputeForm(
        posted_data(request), account=account, initial={"opened_on": protections.today()}
    )

    def record(data: dict[str, Any]) -> str:
        made = services.open_dispute(account=account, **data)
        return f"Dispute of ${made.amount} opened: under investigation."

    return form_page(request, account, form, "Open a dispute", record, card=CARD)


@staff_view(perms.RESOLVE_DISPUTE, action="resolve disputes")
def dispute_resolve(request: HttpRequest, number: str, dispute_id: int) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    dispute = Dispute.objects.filter(pk=dispute_id, account=account).first()
    if dispute is None:
        return not_found(request, f"dispute {dispute_id} on account {account.number}")
    form = ResolveDisputeForm(posted_data(request), initial={"on": protections.today()})

    def record(data: dict[str, Any]) -> str:
        services.resolve_dispute(dispute, **data)
        return f"Dispute of ${dispute.amount} resolved."

    title = f"Resolve the dispute of ${dispute.amount} opened {dispute.opened_on:%Y-%m-%d}"
    return form_page(request, account, form, title, record, card=CARD)


@staff_view(perms.PLACE_HOLD, action="place co-op holds")
def hold_new(request: HttpRequest, number: str) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    form = HoldForm(posted_data(request), initial={"on": protections.today()})

    def record(data: dict[str, Any]) -> str:
        services.place_hold(account=account, **data)
        return "Co-op hold placed on collection."

    return form_page(request, account, form, "Place a co-op hold", record, card=CARD)


@staff_view(perms.RELEASE_HOLD, action="release co-op holds")
def hold_release(request: HttpRequest, number: str, hold_id: int) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    hold = CoopHold.objects.filter(pk=hold_id, account=account, released_on__isnull=True).first()
    if hold is None:
        return not_found(request, f"unreleased hold {hold_id} on account {account.number}")
    form = ReleaseHoldForm(posted_data(request), initial={"on": protections.today()})

    def record(data: dict[str, Any]) -> str:
        services.release_hold(hold, **data)
        return f"Co-op hold released: {hold.reason}."

    return form_page(request, account, form, f"Release the hold: {hold.reason}", record, card=CARD)


@staff_view(perms.NAME_THIRD_PARTY, action="name third parties")
def third_party_new(request: HttpRequest, number: str) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    form = ThirdPartyForm(posted_data(request), initial={"named_on": protections.today()})

    def record(data: dict[str, Any]) -> str:
        made = services.name_third_party(account=account, **data)
        return f"{made.name} will receive copies of disconnection notices."

    return form_page(request, account, form, "Name a third party for notices", record, card=CARD)


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@staff_view()
def notice_pdf(request: HttpRequest, notice_id: int) -> HttpResponse:
    """A notice's PDF as it was sent (what ``coopcis collections notice-pdf`` writes)."""
    notice = Notice.objects.select_related("account").filter(pk=notice_id).first()
    if notice is None:
        return not_found(request, f"notice {notice_id}")
    record_read(request, account_number=notice.account.number, kind=ReadKind.NOTICE_PDF)
    return _pdf(bytes(notice.pdf), f"notice-{notice.account.number}-{notice.pk}.pdf")


@staff_view()
def deposit_receipt_pdf(request: HttpRequest, receipt_id: int) -> HttpResponse:
    """A deposit receipt as issued (what ``coopcis deposits receipt`` writes)."""
    receipt = (
        DepositReceipt.objects.select_related("deposit__account").filter(pk=receipt_id).first()
    )
    if receipt is None:
        return not_found(request, f"deposit receipt {receipt_id}")
    record_read(request, account_number=receipt.deposit.account.number, kind=ReadKind.RECEIPT_PDF)
    filename = f"deposit-{receipt.deposit_id}-receipt-{receipt.language.lower()}.pdf"
    return _pdf(bytes(receipt.pdf), filename)
