"""Applications for service: take one, list the open ones, decide, connect.

Customer service takes applications; deciding needs ``members.decide_serviceapplication``
(managers); connecting opens the account, so it needs ``members.add_account``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from coopcis.apps.backoffice import permissions as perms
from coopcis.apps.backoffice.actions import take_application
from coopcis.apps.backoffice.forms import (
    ApplicationForm,
    ApproveForm,
    ConnectForm,
    DeclineForm,
    add_violation,
    tariff_code_options,
)
from coopcis.apps.backoffice.permissions import forbidden, staff_view
from coopcis.apps.members.models import ApplicationStatus, ServiceApplication
from coopcis.apps.members.services import approve_application, decline_application
from coopcis.apps.premises.services import connect_application
from coopcis.core.errors import RuleViolation

OPEN_STATUSES = (ApplicationStatus.SUBMITTED, ApplicationStatus.APPROVED)


def _application_or_404(request: HttpRequest, pk: int) -> ServiceApplication | HttpResponse:
    application = (
        ServiceApplication.objects.select_related("party", "premise", "account")
        .prefetch_related("charges", "premise__service_points")
        .filter(pk=pk)
        .first()
    )
    if application is None:
        return render(
            request, "backoffice/not_found.html", {"what": f"application {pk}"}, status=404
        )
    return application


@staff_view()
def application_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    applications = ServiceApplication.objects.select_related("party", "premise", "account")
    if status == "open":
        applications = applications.filter(status__in=OPEN_STATUSES)
    elif status in ApplicationStatus.values:
        applications = applications.filter(status=status)
    page = Paginator(applications.order_by("-submitted_on", "-id"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "backoffice/application_list.html",
        {"page": page, "status": status, "statuses": ApplicationStatus.choices},
    )


@staff_view(perms.SUBMIT_APPLICATION, action="take applications for service")
def application_new(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    initial = {
        "applicant_account": request.GET.get("account", ""),
        "premise_id": request.GET.get("premise") or None,
        "submitted_on": today,
        "requested_on": today,
        "premise_state": "NM",
    }
    form = ApplicationForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        new_party, new_premise = form.new_party(), form.new_premise()
        if new_party is not None and not request.user.has_perm(perms.ADD_PARTY):
            return forbidden(request, "record new parties")
        if new_premise is not None and not request.user.has_perm(perms.ADD_PREMISE):
            return forbidden(request, "record new premises")
        try:
            application = take_application(
                party=form.party,
                new_party=new_party,
                premise=form.premise,
                new_premise=new_premise,
                **form.application(),
            )
        except RuleViolation as violation:
            add_violation(form, violation)
        else:
            messages.success(request, f"Application {application.pk} taken.")
            return redirect("backoffice:application", pk=application.pk)
    return render(
        request,
        "backoffice/application_form.html",
        {"form": form, "tariff_codes": tariff_code_options()},
    )


def _detail(
    request: HttpRequest,
    application: ServiceApplication,
    *,
    approve: ApproveForm | None = None,
    decline: DeclineForm | None = None,
    connect: ConnectForm | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    premise = application.premise
    context = {
        "application": application,
        "can": perms.abilities(request.user),
        "approve_form": approve or ApproveForm(initial={"on": today}),
        "decline_form": decline or DeclineForm(initial={"on": today}),
        "connect_form": connect
        or ConnectForm(
            service_points=list(premise.service_points.all()),
            initial={
                "on": today,
                "mailing_line1": premise.line1,
                "mailing_line2": premise.line2,
                "mailing_city": premise.city,
                "mailing_state": premise.state,
                "mailing_zip": premise.zip_code,
                "phone": application.party.phone,
                "email": application.party.email,
            },
        ),
    }
    return render(request, "backoffice/application.html", context, status=status)


@staff_view()
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application_or_404(request, pk)
    if isinstance(application, HttpResponse):
        return application
    return _detail(request, application)


@require_POST
@staff_view(perms.DECIDE_APPLICATION, action="approve applications")
def application_approve(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application_or_404(request, pk)
    if isinstance(application, HttpResponse):
        return application
    form = ApproveForm(request.POST)
    if form.is_valid():
        try:
            approve_application(
                application=application, on=form.cleaned_data["on"], note=form.cleaned_data["note"]
            )
        except RuleViolation as violation:
            add_violation(form, violation)
        else:
            messages.success(request, f"Application {application.pk} approved.")
            return redirect("backoffice:application", pk=application.pk)
    return _detail(request, application, approve=form)


@require_POST
@staff_view(perms.DECIDE_APPLICATION, action="decline applications")
def application_decline(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application_or_404(request, pk)
    if isinstance(application, HttpResponse):
        return application
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            decline_application(
                application=application,
                on=form.cleaned_data["on"],
                note=form.cleaned_data["decision_note"],
            )
        except RuleViolation as violation:
            add_violation(form, violation)
        else:
            messages.success(request, f"Application {application.pk} declined.")
            return redirect("backoffice:application", pk=application.pk)
    return _detail(request, application, decline=form)


@require_POST
@staff_view(perms.CONNECT_APPLICATION, action="connect applications")
def application_connect(request: HttpRequest, pk: int) -> HttpResponse:
    application = _application_or_404(request, pk)
    if isinstance(application, HttpResponse):
        return application
    form = ConnectForm(request.POST, service_points=list(application.premise.service_points.all()))
    if form.is_valid():
        try:
            connected = connect_application(
                application=application,
                service_point=form.points[form.cleaned_data["service_point"]],
                on=form.cleaned_data["on"],
                **form.account_fields(),
            )
        except RuleViolation as violation:
            add_violation(form, violation, ConnectForm.ALIASES)
        else:
            messages.success(request, f"Connected: account {connected.account.number} opened.")
            return redirect("backoffice:account", number=connected.account.number)
    return _detail(request, application, connect=form)
