"""Staff pages for outages (mounted at /outages/): the restoration queue, an outage's
page with its members (life-support households first), its estimated restoration and crew,
devices below it found out too, and its restoration (whole, or with devices below still out);
and the outage map.

The queue is in the co-op's order (``coopcis.core.outages.prediction.restoration_order``):
transmission, substations, lines by members affected, single services. It only reads
the outages the background prediction pass stored (``coopcis.apps.outages.predictor``)
and says when that pass last ran, warning when reports wait on a pass that has stopped.
"""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from coopcis.apps.audit.models import ReadKind
from coopcis.apps.audit.reads import record_reads
from coopcis.apps.outages import intake, maps, predictor, restoration
from coopcis.apps.outages.life_support import life_support_counts, life_support_points
from coopcis.apps.outages.listing import members_listed
from coopcis.apps.outages.models import Outage, OutageStatus
from coopcis.apps.outages.network import current_network
from coopcis.apps.outages.restoration import waiting_on_upstream
from coopcis.apps.staff.access import staff_view
from coopcis.apps.staff.forms import add_violation
from coopcis.core.errors import RuleViolation
from coopcis.core.outages.prediction import QueueItem, restoration_order, restoration_tier
from coopcis.core.periods import CO_OP_TIME_ZONE

DISPATCH = "outages.change_outage"
TIER_NAMES = ("Transmission", "Substations", "Lines", "Single services")
RECENTLY_RESTORED = 20
#: Open outages a page of the queue shows, in restoration order (a storm's hundreds of
#: single services follow on later pages).
QUEUE_PAGE_SIZE = 50


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
    still_out_below = forms.CharField(
        label="Still out below (device codes, comma-separated)",
        max_length=400,
        required=False,
        help_text="devices under this one that stay out: their members are not restored",
    )

    def clean_still_out_below(self) -> list[str]:
        text: str = self.cleaned_data["still_out_below"]
        return [code.strip() for code in text.replace(";", ",").split(",") if code.strip()]


class AlsoOutForm(forms.Form):
    device_code = forms.CharField(label="Device below also out", max_length=40)


def _local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if timezone.is_naive(value):
        return value.replace(tzinfo=CO_OP_TIME_ZONE)
    return value


def _life_support_counts(outages: list[Outage]) -> dict[int, int]:
    points = life_support_points(timezone.localdate())
    if not points:
        return {o.pk: 0 for o in outages}
    counts = life_support_counts(current_network(), {o.device_code for o in outages}, points)
    return {o.pk: counts[o.device_code] for o in outages}


@staff_view()
def queue(request: HttpRequest) -> HttpResponse:
    """Open outages in restoration order, then the latest restored."""
    outages = {o.pk: o for o in Outage.objects.filter(status=OutageStatus.OPEN)}
    life_support = _life_support_counts(list(outages.values()))
    ordered = restoration_order(
        QueueItem(str(o.pk), o.device_kind, o.affected, life_support[o.pk], o.started_at)
        for o in outages.values()
    )
    shown = Paginator(ordered, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for item in shown:
        outage = outages[int(item.key)]
        # the dispatch forms are plain inputs in the template (named as EstimateForm and
        # RestoreForm read them): rendering Django widgets for every row cost seconds
        rows.append(
            {
                "outage": outage,
                "life_support": item.life_support,
                "tier": TIER_NAMES[restoration_tier(outage.device_kind)],
            }
        )
    restored = Outage.objects.filter(status=OutageStatus.RESTORED).order_by("-restored_at")[
        :RECENTLY_RESTORED
    ]
    # members of an outage nested in another open one are counted with that one
    top = [o for o in outages.values() if o.parent_id not in outages]
    return render(
        request,
        "outages/queue.html",
        {
            "rows": rows,
            "page": shown,
            "open_count": len(ordered),
            "restored": restored,
            "can_dispatch": request.user.has_perm(DISPATCH),
            "members_affected": sum(o.affected for o in top),
            "life_support_households": sum(life_support[o.pk] for o in top),
            **prediction_status(),
        },
    )


#: Seconds between the map's looks for new figures while it is open.
MAP_REFRESH_SECONDS = 15


@staff_view()
def outage_map(request: HttpRequest) -> HttpResponse:
    """The staff outage map: open outages, their predicted devices and the service points
    they reach, drawn from the stored predictions; refreshed while open."""
    return render(
        request,
        "outages/map.html",
        {"refresh_seconds": MAP_REFRESH_SECONDS, **prediction_status()},
    )


@staff_view()
def map_data(request: HttpRequest) -> HttpResponse:
    """The staff map's figures (``coopcis.apps.outages.maps.staff_map``)."""
    return JsonResponse(maps.staff_map(now=timezone.now()))


def prediction_status() -> dict[str, object]:
    """When the latest prediction pass finished, and whether reports wait on a stopped one."""
    now = timezone.now()
    state = predictor.latest_pass()
    return {
        "predicted_at": state.finished_at if state else None,
        "prediction_stale": predictor.is_stale(state, now=now),
    }


def _estimate_form(outage: Outage) -> EstimateForm:
    return EstimateForm(
        initial={"estimated_restoration_at": outage.estimated_restoration_at, "crew": outage.crew},
        prefix=f"o{outage.pk}",
    )


@staff_view()
def detail(request: HttpRequest, outage_id: int) -> HttpResponse:
    """One outage: its device, times and crew, the outages nested in it, and its members,
    life-support households first (each read logged)."""
    outage = Outage.objects.select_related("parent").filter(pk=outage_id).first()
    if outage is None:
        return render(request, "backoffice/not_found.html", {"what": "outage"}, status=404)
    listed = members_listed(outage)
    record_reads(
        request,
        account_numbers=[row.number for row in listed.rows],
        kind=ReadKind.OUTAGE_MEMBERS,
    )
    context = {
        "outage": outage,
        "listed": listed,
        "nested": Outage.objects.filter(parent=outage).order_by("pk"),
        "waiting_on": waiting_on_upstream(outage) if outage.status != OutageStatus.OPEN else None,
        "can_dispatch": request.user.has_perm(DISPATCH),
        "estimate_form": _estimate_form(outage),
        "restore_form": RestoreForm(prefix=f"r{outage.pk}"),
        "also_out_form": AlsoOutForm(prefix=f"a{outage.pk}"),
    }
    return render(request, "outages/detail.html", context)


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
    return _back(request, outage)


def _back(request: HttpRequest, outage: Outage) -> HttpResponse:
    """To the outage's page when the form came from it, else to its row of the queue."""
    if request.POST.get("back") == "detail":
        return redirect("outages:detail", outage_id=outage.pk)
    return redirect(reverse("outages:queue") + f"#outage-{outage.pk}")


@staff_view(DISPATCH, action="dispatch crews")
def also_out(request: HttpRequest, outage_id: int) -> HttpResponse:
    """A device below the outage's is out as well: recorded as an outage nested in it."""
    outage = _outage(outage_id)
    if outage is None or request.method != "POST":
        return render(request, "backoffice/not_found.html", {"what": "outage"}, status=404)
    form = AlsoOutForm(request.POST, prefix=f"a{outage.pk}")
    if form.is_valid():
        try:
            nested = restoration.also_out(outage, device_code=form.cleaned_data["device_code"])
        except RuleViolation as violation:
            add_violation(form, violation, {"still_out_below": "device_code"})
        else:
            messages.success(
                request,
                f"Outage {nested.pk}: {nested.device_code} is out under outage {outage.pk}.",
            )
    if form.errors:
        messages.error(request, f"Outage {outage.pk}: {form.errors.as_text()}")
    return redirect("outages:detail", outage_id=outage.pk)


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
            restored = restoration.restore(
                outage,
                cause=form.cleaned_data["cause"],
                restored_at=restored_at,
                still_out_below=form.cleaned_data["still_out_below"],
            )
        except RuleViolation as violation:
            add_violation(form, violation)
    if form.errors:
        messages.error(request, f"Outage {outage.pk} not restored: {form.errors.as_text()}")
    else:
        messages.success(request, _restored_message(restored))
    return _back(request, outage)


def _restored_message(outage: Outage) -> str:
    upstream = waiting_on_upstream(outage)
    if upstream is not None:
        return (
            f"Outage {outage.pk}: {outage.device_code} is closed, but its members stay out "
            f"until outage {upstream.pk} ({upstream.device_code}) is restored."
        )
    still = list(Outage.objects.filter(parent=outage, status=OutageStatus.OPEN))
    if still:
        codes = ", ".join(f"{o.device_code} (outage {o.pk})" for o in still)
        return f"Outage {outage.pk} restored except below {codes}; the rest is recorded."
    return f"Outage {outage.pk} restored; its interruption is recorded."
