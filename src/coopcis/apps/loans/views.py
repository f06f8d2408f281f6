"""Loan pages: the amortization schedule PDF (linked from the account page's card)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from coopcis.apps.audit.models import ReadKind
from coopcis.apps.audit.reads import record_read
from coopcis.apps.loans.models import Loan
from coopcis.apps.loans.schedule import schedule_pdf
from coopcis.apps.staff.access import staff_view


@staff_view()
def loan_schedule(request: HttpRequest, loan_id: int) -> HttpResponse:
    loan = Loan.objects.select_related("account__party").filter(pk=loan_id).first()
    if loan is None:
        return HttpResponse("No such loan.", status=404, content_type="text/plain")
    record_read(request, account_number=loan.account.number, kind=ReadKind.LOAN_PDF)
    response = HttpResponse(schedule_pdf(loan), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="loan-{loan.pk}-schedule.pdf"'
    return response
