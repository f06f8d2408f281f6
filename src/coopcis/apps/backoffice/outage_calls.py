"""Taking a member's outage call (``/calls/outage/``): find the account with the back
office's search (name, number, meter serial, address, phone), pick the service point,
record the report (source "staff taking a call") through the same intake the API and the
portal use. A planned outage covering the service point is said at once, so the member
hears it on the phone; a life-support flag is shown, with the words to say about it.

Here in the back office (not the outages app) because the account search is the back
office's; the report itself is ``outages.intake``'s.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from coopcis.apps.audit.models import ReadKind
from coopcis.apps.audit.reads import record_read
from coopcis.apps.backoffice.queries import normalize_query, search_accounts, service_address
from coopcis.apps.members.models import Account
from coopcis.apps.outages import intake
from coopcis.apps.outages.life_support import certificates_in_force
from coopcis.apps.outages.models import ReportKind, ReportSource
from coopcis.apps.outages.restoration import open_covering
from coopcis.apps.premises.models import ServiceAgreement
from coopcis.apps.staff.access import staff_view
from coopcis.apps.staff.forms import add_violation
from coopcis.core.errors import RuleViolation

TAKE_CALLS = "outages.add_outagereport"
RESULTS_SHOWN = 15


class CallForm(forms.Form):
    service_point = forms.ChoiceField(label="Service point", widget=forms.RadioSelect)
    still_out = forms.BooleanField(
        label="Still out after we said power was back",
        required=False,
        help_text="reopens the member's outage (or starts one) as the portal's button does",
    )
    note = forms.CharField(
        label="What the member says",
        max_length=500,
        required=False,
        help_text="e.g. heard a bang, tree on the line, neighbours out too",
    )

    def __init__(self, *args: object, points: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["service_point"].choices = points
        if len(points) == 1:
            self.fields["service_point"].initial = points[0][0]


def _points(account: Account) -> list[tuple[str, str]]:
    agreements = (
        ServiceAgreement.objects.filter(account=account, end_on__isnull=True)
        .select_related("service_point__premise")
        .order_by("service_point__code")
    )
    seen: dict[str, str] = {}
    for agreement in agreements:
        point = agreement.service_point
        seen.setdefault(point.code, f"{point.code}: {point.premise.address.one_line()}")
    return list(seen.items())


@staff_view(TAKE_CALLS, action="take outage calls")
def outage_call(request: HttpRequest) -> HttpResponse:
    query = normalize_query(request.GET.get("q", ""))
    number = request.GET.get("account", "").strip()
    account = (
        Account.objects.select_related("party").filter(number=number).first() if number else None
    )
    results = []
    if query and account is None:
        results = list(search_accounts(query)[:RESULTS_SHOWN])
        for found in results:
            found.service_address = service_address(found)
    context: dict[str, object] = {"query": query, "results": results, "account": account}
    if account is not None:
        points = _points(account)
        form = CallForm(request.POST or None, points=points)
        if request.method == "POST" and form.is_valid():
            try:
                report = _record(account, form.cleaned_data)
            except RuleViolation as violation:
                add_violation(form, violation)
            else:
                messages.success(request, report)
                return redirect(f"{request.path}?account={account.number}")
        today = timezone.localdate()
        context.update(
            form=form,
            points=points,
            life_support=certificates_in_force(account, today),
            point_outages=[(code, label, open_covering(code)) for code, label in points],
        )
        if request.method == "GET":
            record_read(request, account_number=account.number, kind=ReadKind.OUTAGE_MEMBERS)
    status = 400 if request.method == "POST" else 200
    return render(request, "backoffice/outage_call.html", context, status=status)


def _record(account: Account, data: dict[str, Any]) -> str:
    point, holder = intake.find_service_point(
        service_point=data["service_point"], account=account.number
    )
    kind = ReportKind.STILL_OUT if data["still_out"] else ReportKind.OUT
    received = intake.receive_report(
        service_point=point,
        source=ReportSource.STAFF,
        kind=kind,
        event_at=timezone.now(),
        account=holder,
        note=data["note"],
    )
    report = received.report
    if report.planned is not None:
        planned = report.planned
        return (
            f"Report {report.pk} kept for {point.code}: planned work ({planned.reason}) covers it "
            f"until {timezone.localtime(planned.end_at):%Y-%m-%d %H:%M}; tell the member."
        )
    if kind == ReportKind.STILL_OUT and report.outage is not None:
        return (
            f"Report {report.pk} recorded for {point.code} ({account.number}): still out, "
            f"outage {report.outage.pk} open."
        )
    return f"Report {report.pk} recorded for {point.code} ({account.number})."
