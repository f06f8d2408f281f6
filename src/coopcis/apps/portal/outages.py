"""Report an outage from the portal (``/portal/accounts/<number>/outage/``).

The member picks one of the account's service points in force and reports the power out,
through the same intake as the phone system's and the app's API (``outages.intake``,
source "member portal"). The page says what the co-op already knows for each service
point: planned work covering it (a report then is kept but predicts nothing), a known
outage with its estimate, or a restoration in the last day, after which the member can
say the power is still out (``ReportKind.STILL_OUT``: the service point's outage is
reopened, or one of its own started). A household with life-support equipment on record
is told that the flag is no promise of priority restoration.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coopcis.apps.audit.context import acting_as
from coopcis.apps.members.models import Account
from coopcis.apps.outages import intake
from coopcis.apps.outages.life_support import certificates_in_force
from coopcis.apps.outages.models import (
    Outage,
    PlannedOutage,
    ReportKind,
    ReportSource,
)
from coopcis.apps.outages.network import current_network
from coopcis.apps.outages.restoration import latest_restored_covering, open_covering
from coopcis.apps.portal.access import get_linked_account_or_404, member_required
from coopcis.apps.premises.models import ServiceAgreement, ServicePoint


class OutageReportForm(forms.Form):
    service_point = forms.ChoiceField(
        label=gettext_lazy("Where is the power out?"), widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=gettext_lazy("Anything we should know (optional)"),
        help_text=gettext_lazy("For example: a tree on the line, a loud bang, sparks."),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: object, points: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["service_point"].choices = points
        if len(points) == 1:
            self.fields["service_point"].initial = points[0][0]


@dataclass(frozen=True)
class PointStatus:
    code: str
    label: str
    planned: PlannedOutage | None
    known: Outage | None
    restored: Outage | None  # restored in the last day, none known now: "still out?"


def _points(account: Account) -> list[tuple[str, str]]:
    agreements = (
        ServiceAgreement.objects.filter(account=account, end_on__isnull=True)
        .select_related("service_point__premise")
        .order_by("service_point__code")
    )
    found: dict[str, str] = {}
    for agreement in agreements:
        point = agreement.service_point
        found.setdefault(point.code, point.premise.address.one_line())
    return list(found.items())


def _planned_now(code: str) -> PlannedOutage | None:
    network = current_network()
    now = timezone.now()
    for planned in PlannedOutage.objects.filter(start_at__lte=now, end_at__gt=now):
        covered = planned.device_code in network and code in network
        if covered and network.is_below(code, planned.device_code):
            return planned
    return None


def _status(code: str, label: str) -> PointStatus:
    known = open_covering(code)
    restored = None if known else latest_restored_covering(code, now=timezone.now())
    return PointStatus(code, label, _planned_now(code), known, restored)


def _receive(account: Account, code: str, kind: str, note: str, user: object) -> str:
    point = ServicePoint.objects.get(code=code)
    with acting_as(user=user, label=f"portal:{getattr(user, 'username', '')}"):
        received = intake.receive_report(
            service_point=point,
            source=ReportSource.PORTAL,
            kind=kind,
            event_at=timezone.now(),
            account=account,
            note=note,
        )
    planned = received.report.planned
    if planned is not None:
        return _(
            "Thank you. Planned work on the line serving this address, until %(end)s, "
            "covers it: power comes back when the work is done."
        ) % {"end": timezone.localtime(planned.end_at).strftime("%Y-%m-%d %H:%M")}
    if kind == ReportKind.STILL_OUT:
        return _("Thank you. We have reopened the outage at this address; a crew will look at it.")
    return _("Thank you. Your outage report is recorded; we will tell you when power is back.")


@member_required
def report_outage(request: HttpRequest, number: str) -> HttpResponse:
    account = get_linked_account_or_404(request.user, number)
    points = _points(account)
    codes = {code for code, _ in points}
    form = OutageReportForm(
        request.POST if request.method == "POST" and request.POST.get("part") == "out" else None,
        points=points,
    )
    if request.method == "POST":
        part = request.POST.get("part")
        if part == "still_out" and request.POST.get("service_point") in codes:
            code = request.POST["service_point"]
            messages.success(
                request, _receive(account, code, ReportKind.STILL_OUT, "", request.user)
            )
            return redirect("portal:report_outage", number=account.number)
        if part == "out" and form.is_valid():
            message = _receive(
                account,
                form.cleaned_data["service_point"],
                ReportKind.OUT,
                form.cleaned_data["note"],
                request.user,
            )
            messages.success(request, message)
            return redirect("portal:report_outage", number=account.number)
    today = timezone.localdate()
    context = {
        "account": account,
        "form": form,
        "statuses": [_status(code, label) for code, label in points],
        "life_support": certificates_in_force(account, today),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "portal/outage.html", context, status=status)
