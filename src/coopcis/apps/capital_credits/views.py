"""Staff pages for capital credits: the years and pools, an allocation's patrons, a
retirement with its check register, and the unclaimed checks' search.

Every page that shows members' credits logs the read of each account shown
(``audit.reads``); they only read, so every role sees them.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, F, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coopcis.apps.audit.models import ReadKind
from coopcis.apps.audit.reads import reads_member_data, record_reads
from coopcis.apps.capital_credits import documents
from coopcis.apps.capital_credits.models import (
    Allocation,
    CapitalCredit,
    ClaimRequest,
    ClaimRequestStatus,
    Payout,
    PayoutMethod,
    Retirement,
)
from coopcis.apps.capital_credits.unclaimed import claim_deadline, unclaimed
from coopcis.apps.staff.access import staff_view

PAGE_SIZE = 100
UNCLAIMED_SHOWN = 200


def _not_found(request: HttpRequest, what: str) -> HttpResponse:
    return render(request, "backoffice/not_found.html", {"what": what}, status=404)


@staff_view()
def index(request: HttpRequest) -> HttpResponse:
    """The years and pools allocated, and the retirements, newest first."""
    allocations = Allocation.objects.annotate(
        patrons=Count("credits"), retired=Sum("credits__retired_amount")
    ).order_by("-year", "pool")
    retirements = Retirement.objects.annotate(payout_count=Count("payouts")).order_by(
        "-retired_on", "-id"
    )[:100]
    return render(
        request,
        "capital_credits/index.html",
        {"allocations": allocations, "retirements": retirements},
    )


@staff_view()
def allocation_detail(request: HttpRequest, allocation_id: int) -> HttpResponse:
    """One year's pool: each patron's patronage, credit, what is retired; a page at a time."""
    allocation = Allocation.objects.filter(pk=allocation_id).first()
    if allocation is None:
        return _not_found(request, f"allocation {allocation_id}")
    credits = (
        CapitalCredit.objects.filter(allocation=allocation)
        .select_related("account__party")
        .order_by("account__number", "id")
    )
    page = Paginator(credits, PAGE_SIZE).get_page(request.GET.get("page"))
    record_reads(
        request,
        account_numbers=[credit.account.number for credit in page],
        kind=ReadKind.CAPITAL_CREDITS,
    )
    return render(
        request, "capital_credits/allocation.html", {"allocation": allocation, "page": page}
    )


def _retirement(retirement_id: int) -> Retirement | None:
    return Retirement.objects.filter(pk=retirement_id).first()


@staff_view()
def retirement_detail(request: HttpRequest, retirement_id: int) -> HttpResponse:
    """A retirement: the board's approval, the totals and the check register."""
    retirement = _retirement(retirement_id)
    if retirement is None:
        return _not_found(request, f"retirement {retirement_id}")
    payouts = (
        Payout.objects.filter(retirement=retirement)
        .select_related("account")
        .order_by(F("check_number").asc(nulls_last=True), "account__number")
    )
    page = Paginator(payouts, PAGE_SIZE).get_page(request.GET.get("page"))
    record_reads(
        request,
        account_numbers=[payout.account.number for payout in page],
        kind=ReadKind.CAPITAL_CREDITS,
    )
    totals = payouts.values("method").annotate(total=Sum("amount"), count=Count("id"))
    return render(
        request,
        "capital_credits/retirement.html",
        {"retirement": retirement, "page": page, "totals": totals, "methods": PayoutMethod.choices},
    )


def _register_reads(request: HttpRequest, retirement: Retirement) -> None:
    numbers = Payout.objects.filter(retirement=retirement).values_list("account__number", flat=True)
    record_reads(request, account_numbers=list(numbers), kind=ReadKind.CAPITAL_CREDITS)


@staff_view()
def register_csv(request: HttpRequest, retirement_id: int) -> HttpResponse:
    retirement = _retirement(retirement_id)
    if retirement is None:
        return _not_found(request, f"retirement {retirement_id}")
    response = HttpResponse(documents.register_csv(retirement), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="check-register-{retirement.pk}.csv"'
    _register_reads(request, retirement)
    return response


@staff_view()
def register_pdf(request: HttpRequest, retirement_id: int) -> HttpResponse:
    retirement = _retirement(retirement_id)
    if retirement is None:
        return _not_found(request, f"retirement {retirement_id}")
    response = HttpResponse(documents.register_pdf(retirement), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="check-register-{retirement.pk}.pdf"'
    _register_reads(request, retirement)
    return response


@staff_view()
def unclaimed_list(request: HttpRequest) -> HttpResponse:
    """Checks mailed and not claimed, searchable by payee or account number, each with the
    last day it may be claimed before it becomes a gift (bylaws art. VIII sec. 3); above
    them, the members' claims from the portal waiting (with the address each confirmed),
    worked with the claim form."""
    query = request.GET.get("q", "").strip()[:100]
    rows = list(unclaimed(query)[:UNCLAIMED_SHOWN])
    for row in rows:
        row.deadline = claim_deadline(row.mailed_on) if row.mailed_on else None  # type: ignore[attr-defined]
    claims = list(
        ClaimRequest.objects.filter(status=ClaimRequestStatus.REQUESTED)
        .select_related("payout", "account")
        .order_by("requested_on", "id")[:UNCLAIMED_SHOWN]
    )
    for claim in claims:
        claim.deadline = claim_deadline(claim.payout.mailed_on) if claim.payout.mailed_on else None  # type: ignore[attr-defined]
    record_reads(
        request,
        account_numbers=[row.account.number for row in rows]
        + [claim.account.number for claim in claims],
        kind=ReadKind.CAPITAL_CREDITS,
    )
    return render(
        request,
        "capital_credits/unclaimed.html",
        {"rows": rows, "query": query, "shown": UNCLAIMED_SHOWN, "claims": claims},
    )


@staff_view()
@reads_member_data(ReadKind.NOTICE_PDF)
def notice_pdf(request: HttpRequest, number: str, credit_id: int) -> HttpResponse:
    """A patron's allocation notice, as mailed."""
    credit = (
        CapitalCredit.objects.select_related("allocation", "account__party")
        .filter(pk=credit_id, account__number=number)
        .first()
    )
    if credit is None:
        return _not_found(request, f"capital credit {credit_id} of account {number}")
    response = HttpResponse(documents.notice_pdf(credit), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="capital-credit-{credit.allocation.year}-{number}.pdf"'
    )
    return response
