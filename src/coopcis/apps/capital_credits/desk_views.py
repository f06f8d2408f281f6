"""The staff forms that act: allocate a year, a general retirement, an estate's request,
an assignment, a check claimed; what ``coopcis capital-credits`` does, at a desk.

Allocations and retirements post in bulk, so they are previewed first: the service the CLI
calls runs as a dry run (``site.jobs.dry_run``: it runs for real in a transaction that is
rolled back) and its result is shown (a retirement with the equity-ratio warning); the
confirmation runs it again, for real, only with exactly the fields previewed. Refusals are
the services' own (the bylaw cited), shown against the field they name. Who acted is on
every row and entry written (``created_by``, the journal's actor) and in the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from coopcis.apps.capital_credits.allocate import allocate_year
from coopcis.apps.capital_credits.assignments import assign_credits
from coopcis.apps.capital_credits.estates import retire_estate
from coopcis.apps.capital_credits.forms import (
    AllocateForm,
    AssignForm,
    ClaimForm,
    EstateForm,
    PreviewedForm,
    RetireForm,
)
from coopcis.apps.capital_credits.models import Payout
from coopcis.apps.capital_credits.retire import Approval, BalanceSheet, retire_general
from coopcis.apps.capital_credits.unclaimed import claim_check
from coopcis.apps.members.models import Account
from coopcis.apps.staff.access import staff_view
from coopcis.core.errors import RuleViolation
from coopcis.site.jobs import dry_run, today

ALLOCATE = "capital_credits.add_allocation"
RETIRE = "capital_credits.add_retirement"
ASSIGN = "capital_credits.add_assignment"
CLAIM = "capital_credits.change_payout"
PREVIEW_PATRONS = 20


def _refused(form: forms.Form, refused: RuleViolation) -> None:
    """The service's refusal against the field it names (else above the form)."""
    field = refused.field if refused.field in form.fields else None
    form.add_error(field, refused.message)


def _account(number: str, field: str = "account") -> Account:
    found = Account.objects.select_related("party").filter(number=number.strip()).first()
    if found is None:
        raise RuleViolation(f"no account {number.strip()}", field=field)
    return found


def _previewed(
    request: HttpRequest,
    form: PreviewedForm,
    act: Callable[[], Any],
    done: Callable[[Any], HttpResponse],
) -> Any:
    """Run ``act`` as a dry run (the preview) or, when confirmed, for real (then ``done``).
    Returns the preview's result, or the response after acting, or None when refused."""
    confirming = request.POST.get("do") == "confirm" and form.confirmed()
    try:
        if confirming:
            return done(act())
        with dry_run(True):
            result = act()
    except RuleViolation as refused:
        _refused(form, refused)
        return None
    form.data = form.data.copy()
    form.data["previewed"] = form.digest()
    return result


def _page(request: HttpRequest, template: str, **context: Any) -> HttpResponse:
    return render(request, f"capital_credits/{template}", context)


@staff_view(ALLOCATE, action="allocate capital credits")
def allocate(request: HttpRequest) -> HttpResponse:
    """A year's margins over its patronage (``allocate_year``): previewed, then posted."""
    form = AllocateForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def act() -> Any:
            return allocate_year(
                year=data["year"], margins=data["margins"], pool=data["pool"],
                on=data["on"] or today(),
            )  # fmt: skip

        def done(result: Any) -> HttpResponse:
            emails = sum(1 for p in result.patrons if p.notice_method == "EMAIL")
            messages.success(
                request,
                f"Allocated {result.allocation.margins_amount:,.2f} of {result.allocation.year} "
                f"({result.allocation.pool}) to {len(result.patrons):,} patrons; notices: "
                f"{len(result.patrons) - emails:,} by mail, {emails:,} by email (sent by "
                "capital-credits send-notices).",
            )
            return redirect(reverse("capital_credits:allocation", args=[result.allocation.pk]))

        outcome = _previewed(request, form, act, done)
        if isinstance(outcome, HttpResponse):
            return outcome
        if outcome is not None:
            preview = {
                "json": outcome.as_json(),
                "emails": sum(1 for p in outcome.patrons if p.notice_method == "EMAIL"),
                "count": len(outcome.patrons),
                "first": outcome.patrons[:PREVIEW_PATRONS],
            }
    return _page(request, "allocate.html", form=form, preview=preview)


@staff_view(RETIRE, action="retire capital credits")
def retire(request: HttpRequest) -> HttpResponse:
    """A general retirement the board approved (``retire_general``): previewed with the
    equity-ratio warning, then posted; its check register is the retirement's page."""
    form = RetireForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        sheet = BalanceSheet(data["equity"], data["assets"]) if data["equity"] is not None else None

        def act() -> Any:
            return retire_general(
                approval=Approval(data["approved"], data["approved_on"], data["resolution"]),
                amount=data["amount"],
                method=data["method"],
                pool=data["pool"],
                on=data["on"] or today(),
                gt_cash=data["gt_cash"],
                sheet=sheet,
                first_check=data["first_check"],
            )

        def done(result: Any) -> HttpResponse:
            summary = result.as_json()
            messages.success(
                request,
                f"Retired {summary['retired']} of {summary['approved']} approved: checks "
                f"{summary['checks']}, bill credits {summary['bill_credits']}, carried forward "
                f"{summary['carried_forward']}, {summary['payouts']} payouts.",
            )
            for warning in result.warnings:
                messages.warning(request, warning)
            return redirect(reverse("capital_credits:retirement", args=[result.retirement.pk]))

        outcome = _previewed(request, form, act, done)
        if isinstance(outcome, HttpResponse):
            return outcome
        if outcome is not None:
            preview = {"json": outcome.as_json(), "warnings": outcome.warnings}
    return _page(request, "retire.html", form=form, preview=preview)


@staff_view(RETIRE, action="retire an estate's capital credits")
def estate(request: HttpRequest) -> HttpResponse:
    """A deceased patron's estate request (``retire_estate``): each year at its present
    value, debts deducted; previewed, then posted with the estate's check."""
    form = EstateForm(request.POST or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def act() -> Any:
            return retire_estate(
                account=_account(data["account"]),
                on=data["on"] or today(),
                resolution=data["resolution"],
                deceased=data["deceased"].strip() or None,
            )

        def done(result: Any) -> HttpResponse:
            summary = result.as_json()
            messages.success(
                request,
                f"Estate of {data['account']}: face {summary['face']}, present value "
                f"{summary['present_value']}, check {summary['check']}.",
            )
            return redirect(reverse("capital_credits:retirement", args=[result.retirement.pk]))

        outcome = _previewed(request, form, act, done)
        if isinstance(outcome, HttpResponse):
            return outcome
        if outcome is not None:
            preview = {"json": outcome.as_json(), "debts": sum(outcome.debts.values())}
    return _page(request, "estate.html", form=form, preview=preview)


@staff_view(ASSIGN, action="assign capital credits")
def assign(request: HttpRequest) -> HttpResponse:
    """Credits assigned to a successor in interest or occupancy at the premises, on
    written instructions (``assign_credits``)."""
    form = AssignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            done = assign_credits(
                from_account=_account(data["account"]),
                to_account=_account(data["to"], "to"),
                successor=data["successor"].upper(),
                instructions=data["instructions"],
                received_on=data["received_on"],
            )
        except RuleViolation as refused:
            _refused(form, refused)
        else:
            messages.success(
                request,
                f"Assigned {done.amount:.2f} of capital credits from {data['account'].strip()} "
                f"to {data['to'].strip()}.",
            )
            return redirect(reverse("backoffice:account", args=[data["to"].strip()]))
    return _page(request, "assign.html", form=form)


@staff_view(CLAIM, action="record a retirement check claimed")
def claim(request: HttpRequest) -> HttpResponse:
    """A retirement check cashed (``claim_check``): off the unclaimed list, and a member's
    claim of it from the portal answered. ``?check=`` fills the check number in."""
    initial = {"check": request.GET["check"]} if request.GET.get("check", "").isdigit() else {}
    form = ClaimForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        payout = Payout.objects.filter(check_number=data["check"]).first()
        try:
            if payout is None:
                raise RuleViolation(f"no capital credit check {data['check']}", field="check")
            done = claim_check(payout=payout, on=data["on"])
        except RuleViolation as refused:
            _refused(form, refused)
        else:
            messages.success(
                request,
                f"Check {done.check_number} ({done.amount:.2f}) claimed on {done.claimed_on}.",
            )
            return redirect(reverse("capital_credits:unclaimed"))
    return _page(request, "claim.html", form=form)
