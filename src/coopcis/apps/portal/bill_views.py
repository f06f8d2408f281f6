"""The member's bills and money: the account's first screen (balance, amount due, due
date, every bill with its PDF), and one bill explained line by line and against last
month's and last year's.

Every page finds its account with ``get_linked_account_or_404`` and its bill within that
account, so a member never reaches another's (404 as for one that does not exist).
"""

from __future__ import annotations

from decimal import Decimal

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from coopcis.apps.billing.explanations import explain_bill
from coopcis.apps.billing.models import Bill, BillStatus
from coopcis.apps.billing.pdf import render_bill_by_id
from coopcis.apps.collections.arrangements import waiting_request
from coopcis.apps.collections.models import ArrangementRequest
from coopcis.apps.ledger.services import member_balance
from coopcis.apps.members.models import Account, BankDraftMandate
from coopcis.apps.payments.autopay import active_card
from coopcis.apps.payments.models import Payment, PaymentStatus
from coopcis.apps.portal.access import get_linked_account_or_404, member_required

BILLS_SHOWN = 36
PAYMENTS_SHOWN = 6


def posted_bills(account: Account):  # type: ignore[no-untyped-def]
    """The account's bills a member sees: posted ones (a held bill is not sent yet; a
    cancelled one was replaced), newest first."""
    return Bill.objects.filter(account=account, status=BillStatus.POSTED).order_by(
        "-bill_date", "-id"
    )


def member_bill(account: Account, bill_id: int) -> Bill:
    bill = posted_bills(account).select_related("service_point__premise").filter(pk=bill_id)
    found = bill.first()
    if found is None:
        raise Http404
    return found


def account_money(account: Account) -> dict[str, object]:
    """Balance (negative: a credit), amount due now and the latest bill's due date."""
    balance = member_balance(account)
    latest = posted_bills(account).first()
    return {
        "balance": balance,
        "amount_due": max(balance, Decimal(0)),
        "due_date": latest.due_date if latest is not None else None,
        "latest_bill": latest,
    }


@member_required
def account_home(request: HttpRequest, number: str) -> HttpResponse:
    """The account's first screen: what is owed and by when, then every bill."""
    account = get_linked_account_or_404(request.user, number)
    mandate = BankDraftMandate.objects.filter(account=account, active=True).first()
    context = {
        "account": account,
        **account_money(account),
        "bills": list(posted_bills(account)[:BILLS_SHOWN]),
        "payments": list(
            Payment.objects.filter(account=account)
            .exclude(status=PaymentStatus.PENDING)
            .order_by("-received_on", "-id")[:PAYMENTS_SHOWN]
        ),
        "card": active_card(account),
        "mandate": mandate,
        "arrangement": waiting_request(account)
        or ArrangementRequest.objects.filter(account=account).order_by("-id").first(),
    }
    return render(request, "portal/bills/account.html", context)


@member_required
def bill_detail(request: HttpRequest, number: str, bill_id: int) -> HttpResponse:
    """A bill's lines in plain words with their clauses, and why it differs from last
    month's and from the same month last year."""
    account = get_linked_account_or_404(request.user, number)
    bill = member_bill(account, bill_id)
    explained = explain_bill(bill)
    comparisons = [
        (kind, comparison)
        for kind, comparison in (("month", explained.last_month), ("year", explained.last_year))
    ]
    return render(
        request,
        "portal/bills/bill.html",
        {
            "account": account,
            "bill": bill,
            "lines": explained.lines,
            "comparisons": comparisons,
            "energy_kwh": Decimal(bill.energy_wh) / 1000 if bill.energy_wh is not None else None,
            "days": (bill.period_end - bill.period_start).days,
        },
    )


@member_required
def bill_pdf(request: HttpRequest, number: str, bill_id: int) -> HttpResponse:
    """The bill's PDF, as printed and mailed."""
    account = get_linked_account_or_404(request.user, number)
    bill = member_bill(account, bill_id)
    rendered = render_bill_by_id(bill.pk)
    if rendered is None:
        raise Http404
    response = HttpResponse(rendered.pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{rendered.number}.pdf"'
    return response
