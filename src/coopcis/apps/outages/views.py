"""Staff pages for outages (mounted at /outages/): the restoration queue, an outage's
estimated restoration and crew, and its restoration with a cause code.

The queue is in the co-op's order (``coopcis.core.outages.prediction.restoration_order``):
transmission, substations, lines by members affected, single services. Opening it also
refreshes the predictions (at most once a second per process), so an outage whose last
report came in after the last refresh shows up without waiting for another report.
"""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from coopcis.apps.audit.context import acting_as
from coopcis.apps.outages import intake
from coopcis.apps.outages.models import Outage, OutageStatus
from coopcis.apps.staff.access import staff_view
from coopcis.apps.staff.forms import add_violation
from coopcis.core.errors import RuleViolation
from coopcis.core.outages.prediction import QueueItem, restoration_order, restoration_tier
from coopcis.core.periods import CO_OP_TIME_ZONE

DISPATCH = "outages.change_outage"
TIER_NAMES = ("Transmission", "Substations", "Lines", "Single services")
RECENTLY_RESTORED = 20


class EstimateForm(forms.Form):
    estimated_restoration_at = forms.DateTimeField(
        label="Estimated restoration (local time)",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    crew = forms.CharField(label="Crew", max_length=80, required=False)


class RestoreForm(forms.Form):
    cause = forms.RegexField(
        label="Cause code",
        regex=r"^[a-z0-9_]{1,40}$",
        error_messages={"invalid": "letters, digits and _ (e.g. tree, lightning, animal)"},
    )
    restored_at = forms.DateTimeField(
        label="Restored at (local time)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


def _local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if timezone.is_naive(value):
        return value.replace(tzinfo=CO_OP_TIME_ZONE)
    return value


@staff_view()
def queue(request: HttpRequest) -> HttpResponse:
    """Open outages in restoration order, then the latest restored."""
    with acting_as(user=None, label="outage prediction"):
        intake.refresh_if_due()
    outages = {o.pk: o for o in Outage.objects.filter(status=OutageStatus.OPEN)}
    ordered = restoration_order(
        QueueItem(str(o.pk), o.device_kind, o.affected, 0, o.started_at) for o in outages.values()
    )
    rows = []
    for item in ordered:
        outage = outages[int(item.key)]
        rows.append(
            {
                "outage": outage,
                "tier": TIER_NAMES[restoration_tier(outage.device_kind)],
                "estimate_form": EstimateForm(
                    initial={
                        "estimated_restoration_at": outage.estimated_restoration_at,
                        "crew": outage.crew,
                    },
                    prefix=f"o{outage.pk}",
                ),
                "restore_form": RestoreForm(prefix=f"r{outage.pk}"),
            }
        )
    restored = Outage.objects.filter(status=OutageStatus.RESTORED).order_by("-restored_at")[
        :RECENTLY_RESTORED
    ]
    return render(
        request,
        "outages/queue.html",
        {
            "rows": rows,
            "restored": restored,
            "can_dispatch": request.user.has_perm(DISPATCH),
            "members_affected": sum(o.affected for o in outages.values()),
        },
    )


def _outage(outage_id: int) -> Outage | None:
    return Outage.objects.filter(pk=outage_id).first()


@staff_view(DISPATCH, action="dispatch crews")
def estimate(request: HttpRequest, outage_id: int) -> HttpResponse:
    outage = _outage(outage_id)
    if outage is None or request.method != "POST":
        return render(request, "backoffice/not_found.html", {"what": "outage"}, status=404)
    form = EstimateForm(request.POST, prefix=f"o{outage.pk}")
    if form.is_valid():
        intake.set_estimate(
            outage,
            estimated_at=_local(form.cleaned_data["estimated_restoration_at"]),
            crew=form.cleaned_data["crew"],
        )
        messages.success(request, f"Outage {outage.pk}: estimate and crew saved.")
    else:
        messages.error(request, f"Outage {outage.pk}: {form.errors.as_text()}")
    return redirect(reverse("outages:queue") + f"#outage-{outage.pk}")


@staff_view(DISPATCH, action="restore outages")
def restore(request: HttpRequest, outage_id: int) -> HttpResponse:
    outage = _outage(outage_id)
    if outage is None or request.method != "POST":
        return render(request, "backoffice/not_found.html", {"what": "outage"}, status=404)
    form = RestoreForm(request.POST, prefix=f"r{outage.pk}")
    if form.is_valid():
        restored_at = _local(form.cleaned_data["restored_at"])
        assert restored_at is not None
        try:
            intake.restore(outage, cause=form.cleaned_data["cause"], restored_at=restored_at)
        except RuleViolation as violation:
            add_violation(form, violation)
    if form.errors:
        messages.error(request, f"Outage {outage.pk} not restored: {form.errors.as_text()}")
    else:
        messages.success(request, f"Outage {outage.pk} restored; its interruption is recorded.")
    return redirect(reverse("outages:queue") + f"#outage-{outage.pk}")
