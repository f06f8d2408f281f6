"""Staff pages for rebate claims: the claims waiting for a decision, one claim with its
proof and inspections, approve or deny it, and download a proof file.

One domain call per view; a refusal shows against the form.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from coopcis.apps.audit.models import ReadKind
from coopcis.apps.audit.reads import record_read
from coopcis.apps.members.models import Account
from coopcis.apps.rebates.forms import REFUSAL_FIELDS, ClaimForm, InspectionForm
from coopcis.apps.rebates.models import ClaimDocument, ClaimStatus, RebateClaim
from coopcis.apps.rebates.services import (
    approve_claim,
    deny_claim,
    record_inspection,
    schedule_inspection,
)
from coopcis.apps.staff.access import staff_view
from coopcis.apps.staff.forms import account_form_page, add_violation
from coopcis.core.errors import RuleViolation
from coopcis.site.jobs import today

DECIDE_CLAIMS = "rebates.change_rebateclaim"
TAKE_CLAIMS = "rebates.add_rebateclaim"
SHOWN = 200
WAITING = (ClaimStatus.SUBMITTED, ClaimStatus.INSPECTING)


class DenyForm(forms.Form):
    reason = forms.CharField(label="Why it is denied", max_length=300)


def _not_found(request: HttpRequest, what: str) -> HttpResponse:
    return render(request, "backoffice/not_found.html", {"what": what}, status=404)


@staff_view()
def claim_list(request: HttpRequest) -> HttpResponse:
    """Claims waiting for a decision or their inspections, oldest first."""
    rows = list(
        RebateClaim.objects.filter(status__in=WAITING)
        .select_related("account__party")
        .order_by("submitted_on", "id")[:SHOWN]
    )
    return render(request, "rebates/claim_list.html", {"rows": rows})


def _claim_page(
    request: HttpRequest,
    claim: RebateClaim,
    deny_form: forms.Form | None = None,
    status: int = 200,
    inspection_form: forms.Form | None = None,
) -> HttpResponse:
    context = {
        "inspection_form": inspection_form or InspectionForm(),
        "claim": claim,
        "documents": list(claim.documents.defer("data").order_by("id")),
        "inspections": list(claim.inspections.order_by("stage")),
        "deny_form": deny_form or DenyForm(),
        "can_decide": request.user.has_perm(DECIDE_CLAIMS) and claim.status in WAITING,
        "can_inspect": request.user.has_perm(DECIDE_CLAIMS)
        and claim.status == ClaimStatus.INSPECTING,
        "error": None,
    }
    return render(request, "rebates/claim.html", context, status=status)


@staff_view()
def claim_detail(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = RebateClaim.objects.select_related("account__party").filter(pk=claim_id).first()
    if claim is None:
        return _not_found(request, f"rebate claim {claim_id}")
    record_read(request, account_number=claim.account.number, kind=ReadKind.REBATE_CLAIM)
    return _claim_page(request, claim)


@staff_view(DECIDE_CLAIMS, action="decide rebate claims")
def claim_approve(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = RebateClaim.objects.select_related("account__party").filter(pk=claim_id).first()
    if claim is None:
        return _not_found(request, f"rebate claim {claim_id}")
    if request.method != "POST":
        return redirect(reverse("backoffice:rebate_claim", kwargs={"claim_id": claim.pk}))
    try:
        with transaction.atomic():
            made = approve_claim(claim=claim, on=today())
    except RuleViolation as violation:
        messages.error(request, str(violation))
    else:
        messages.success(request, f"Claim {made.pk} approved: {made.get_status_display()}.")
    return redirect(reverse("backoffice:rebate_claim", kwargs={"claim_id": claim.pk}))


@staff_view(DECIDE_CLAIMS, action="decide rebate claims")
def claim_deny(request: HttpRequest, claim_id: int) -> HttpResponse:
    claim = RebateClaim.objects.select_related("account__party").filter(pk=claim_id).first()
    if claim is None:
        return _not_found(request, f"rebate claim {claim_id}")
    form = DenyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                deny_claim(claim=claim, on=today(), reason=form.cleaned_data["reason"])
        except RuleViolation as violation:
            add_violation(form, violation)
        else:
            messages.success(request, f"Claim {claim.pk} denied.")
            return redirect(reverse("backoffice:rebate_claims"))
    return _claim_page(request, claim, deny_form=form, status=400 if form.is_bound else 200)


@staff_view()
def claim_document(request: HttpRequest, document_id: int) -> HttpResponse:
    """A proof file, sent as an attachment with its checked type (never shown inline)."""
    document = ClaimDocument.objects.select_related("claim__account").filter(pk=document_id).first()
    if document is None:
        return _not_found(request, f"document {document_id}")
    record_read(request, account_number=document.claim.account.number, kind=ReadKind.REBATE_CLAIM)
    response = HttpResponse(bytes(document.data), content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_view(TAKE_CLAIMS, action="take rebate claims")
def claim_new(request: HttpRequest, number: str) -> HttpResponse:
    """The rebate form with its proof, entered at the counter for the account's member."""
    account = Account.objects.select_related("party").filter(number=number).first()
    if account is None:
        return _not_found(request, f"account {number}")
    on = today()
    bound = request.method == "POST"
    form = ClaimForm(request.POST if bound else None, request.FILES if bound else None, today=on)

    def record(data: dict[str, Any]) -> HttpResponse:
        made = form.submit(account=account, on=on)
        messages.success(request, f"Claim {made.pk}: rebate {made.rebate_amount} recorded.")
        return redirect(reverse("backoffice:rebate_claim", kwargs={"claim_id": made.pk}))

    return account_form_page(
        request,
        account,
        form,
        "rebates/claim_form.html",
        record,
        aliases=REFUSAL_FIELDS,
        logs_read=False,
    )


@staff_view(DECIDE_CLAIMS, action="record rebate inspections")
def claim_inspection(request: HttpRequest, claim_id: int) -> HttpResponse:
    """Book the inspection before or after installation, or record its result."""
    claim = RebateClaim.objects.select_related("account__party").filter(pk=claim_id).first()
    if claim is None:
        return _not_found(request, f"rebate claim {claim_id}")
    form = InspectionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                if data["result"]:
                    record_inspection(
                        claim=claim,
                        stage=data["stage"],
                        on=data["on"],
                        passed=data["result"] == "PASSED",
                        notes=data["notes"],
                    )
                else:
                    schedule_inspection(
                        claim=claim, stage=data["stage"], on=data["on"], inspector=data["inspector"]
                    )
        except RuleViolation as violation:
            add_violation(form, violation, {"claim": None})
        else:
            messages.success(request, f"Claim {claim.pk}: inspection recorded.")
            return redirect(reverse("backoffice:rebate_claim", kwargs={"claim_id": claim.pk}))
    return _claim_page(request, claim, inspection_form=form, status=400 if form.is_bound else 200)
