"""The member's aid-to-construction loans in the portal (SEC policy 424; issue 13: each
program visible to the member): each loan's principal balance, the next installment, the
installments billed and still owed, the amortization schedule PDF the loans app makes,
and a payoff quote as of today (``loans.services.payoff_quote``: interest actual/365 on
the unbilled principal since the latest installment, half up to the cent). Linked
accounts only; a loan of another account is a 404."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from coopcis.apps.loans.card import loans_card
from coopcis.apps.loans.models import Loan, LoanStatus
from coopcis.apps.loans.schedule import schedule_pdf
from coopcis.apps.loans.services import payoff_quote
from coopcis.apps.portal.access import get_linked_account_or_404, member_required
from coopcis.site.jobs import today


@member_required
def loans(request: HttpRequest, number: str) -> HttpResponse:
    account = get_linked_account_or_404(request.user, number)
    on = today()
    rows = []
    for loan, owed in loans_card(account)["loans"]:
        active = loan.status == LoanStatus.ACTIVE and loan.disbursed_on is not None
        upcoming = (
            loan.installments.filter(billed_on__isnull=True, cancelled=False)
            .order_by("number")
            .first()
            if active
            else None
        )
        rows.append(
            {
                "loan": loan,
                "owed": owed,
                "next": upcoming,
                "quote": payoff_quote(loan=loan, as_of=on) if active else None,
                "has_schedule": loan.disbursed_on is not None,
            }
        )
    return render(
        request, "portal/programs/loans.html", {"account": account, "rows": rows, "today": on}
    )


@member_required
def loan_schedule(request: HttpRequest, number: str, loan_id: int) -> HttpResponse:
    account = get_linked_account_or_404(request.user, number)
    loan = Loan.objects.filter(account=account, pk=loan_id, disbursed_on__isnull=False).first()
    if loan is None:
        raise Http404("No such loan.")
    response = HttpResponse(schedule_pdf(loan), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="loan-{loan.pk}-schedule.pdf"'
    return response
