"""Loan pages: the amortization schedule PDF (linked from the account page's card), and
the staff forms to apply for a loan, approve it and disburse it (SEC policy 424).

One domain call per view (``loans.services``, the same as ``coopcis loans``); a refusal
shows against the form, and an application that does not qualify is recorded DENIED
with its reasons, shown on the card.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from coopcis.apps.audit.models import ReadKind
from coopcis.apps.audit.reads import record_read
from coopcis.apps.loans.models import Approver, Loan, LoanStatus, Security
from coopcis.apps.loans.schedule import schedule_pdf
from coopcis.apps.loans.services import apply_for_loan, approve_loan, disburse_loan
from coopcis.apps.members.models import Account
from coopcis.apps.staff.access import staff_view
from coopcis.apps.staff.forms import account_form_page
from coopcis.core.errors import RuleViolation
from coopcis.core.money import parse_amount
from coopcis.site.jobs import today

APPLY = "loans.add_loan"
DECIDE = "loans.change_loan"
MONEY_FIELDS = ("amount", "aid", "mortgage_fees_due", "mortgage_fees_paid")


@staff_view()
def loan_schedule(request: HttpRequest, loan_id: int) -> HttpResponse:
    loan = Loan.objects.select_related("account__party").filter(pk=loan_id).first()
    if loan is None:
        return HttpResponse("No such loan.", status=404, content_type="text/plain")
    record_read(request, account_number=loan.account.number, kind=ReadKind.LOAN_PDF)
    response = HttpResponse(schedule_pdf(loan), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="loan-{loan.pk}-schedule.pdf"'
    return response


class LoanForm(forms.Form):
    amount = forms.CharField(label="Loan amount ($500 to $15,000)", max_length=20)
    aid = forms.CharField(label="Aid to construction it pays ($)", max_length=20)
    purpose = forms.CharField(label="Line extension it pays for", max_length=200)
    months = forms.IntegerField(label="Months (blank: the policy's)", required=False, min_value=1)
    security = forms.ChoiceField(label="Security", choices=Security.choices)
    mortgage_fees_due = forms.CharField(label="Mortgage fees due ($)", initial="0.00")
    mortgage_fees_paid = forms.CharField(label="Mortgage fees paid ($)", initial="0.00")
    waiver_note = forms.CharField(label="Mortgage waiver note", max_length=300, required=False)
    prior_utility_report = forms.CharField(
        label="Prior utility's clean report (for service under 12 months)",
        max_length=200,
        required=False,
    )
    credit_report_on = forms.DateField(label="Credit agency report dated", required=False)
    credit_agency = forms.CharField(label="Credit agency", max_length=100, required=False)
    bad_debt_found = forms.BooleanField(label="The report found bad debt", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in MONEY_FIELDS:
            if name in data:
                try:
                    data[name] = parse_amount(data[name], field=name, allow_grouping=True).amount
                except RuleViolation as refused:
                    self.add_error(name, refused.message)
        return data


class ApproveForm(forms.Form):
    approver = forms.ChoiceField(label="Approved by", choices=Approver.choices)
    meeting_date = forms.DateField(label="Board meeting (the board's approval)", required=False)


def _back(account_number: str) -> HttpResponse:
    return redirect(reverse("backoffice:account", kwargs={"number": account_number}) + "#loans")


@staff_view(APPLY, action="take loan applications")
def loan_new(request: HttpRequest, number: str) -> HttpResponse:
    account = Account.objects.select_related("party").filter(number=number).first()
    if account is None:
        return render(
            request, "backoffice/not_found.html", {"what": f"account {number}"}, status=404
        )
    form = LoanForm(request.POST if request.method == "POST" else None)

    def record(data: dict[str, Any]) -> HttpResponse:
        loan = apply_for_loan(
            account=account,
            on=today(),
            aid=data["aid"],
            amount=data["amount"],
            purpose=data["purpose"],
            security=data["security"],
            months=data["months"],
            prior_utility_report=data["prior_utility_report"],
            credit_report_on=data["credit_report_on"],
            credit_agency=data["credit_agency"],
            bad_debt_found=data["bad_debt_found"],
            mortgage_fees_due=data["mortgage_fees_due"],
            mortgage_fees_paid=data["mortgage_fees_paid"],
            waiver_note=data["waiver_note"],
        )
        if loan.status == LoanStatus.DENIED:
            messages.error(request, f"Loan {loan.pk} denied: " + "; ".join(loan.refusals) + ".")
        else:
            messages.success(request, f"Loan {loan.pk} qualifies: waiting for approval.")
        return _back(account.number)

    return account_form_page(
        request, account, form, "loans/loan_form.html", record, aliases={"account": None}
    )


def _loan_or_404(request: HttpRequest, loan_id: int) -> Loan | HttpResponse:
    loan = Loan.objects.select_related("account").filter(pk=loan_id).first()
    if loan is None:
        return render(request, "backoffice/not_found.html", {"what": f"loan {loan_id}"}, status=404)
    return loan


@staff_view(DECIDE, action="approve loans")
def loan_approve(request: HttpRequest, loan_id: int) -> HttpResponse:
    loan = _loan_or_404(request, loan_id)
    if isinstance(loan, HttpResponse):
        return loan
    if request.method == "POST":
        form = ApproveForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Say who approved the loan (and the board's meeting date).")
        else:
            try:
                approve_loan(
                    loan=loan,
                    on=today(),
                    approver=form.cleaned_data["approver"],
                    board_meeting_on=form.cleaned_data["meeting_date"],
                )
            except RuleViolation as violation:
                messages.error(request, f"Loan {loan.pk} not approved: {violation.message}")
            else:
                messages.success(request, f"Loan {loan.pk} approved.")
    return _back(loan.account.number)


@staff_view(DECIDE, action="disburse loans")
def loan_disburse(request: HttpRequest, loan_id: int) -> HttpResponse:
    loan = _loan_or_404(request, loan_id)
    if isinstance(loan, HttpResponse):
        return loan
    if request.method == "POST":
        try:
            disburse_loan(loan=loan, on=today())
        except RuleViolation as violation:
            messages.error(request, f"Loan {loan.pk} not disbursed: {violation.message}")
        else:
            messages.success(request, f"Loan {loan.pk} disbursed: installments on the next bills.")
    return _back(loan.account.number)
