"""The member's usage pages: charts with their tables, the rate comparison, Green Button
"Download My Data" and the high-usage alert settings. Each finds the account through
``access.get_linked_account_or_404`` and makes one call into the usage app."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from coopcis.apps.portal.access import get_linked_account_or_404, member_required
from coopcis.apps.portal.usage_forms import DownloadForm, ThresholdForm
from coopcis.apps.premises.models import ServiceAgreement
from coopcis.apps.usage import charts, green_button
from coopcis.apps.usage.alerts import set_threshold
from coopcis.apps.usage.comparison_cache import account_comparison
from coopcis.apps.usage.models import UsageAlert, UsageThreshold
from coopcis.apps.usage.readings import interval_meters
from coopcis.apps.usage.svg import bars_svg, interval_table, steps_svg
from coopcis.site.jobs import today


@member_required
def usage(request: HttpRequest, number: str) -> HttpResponse:
    """``?view=monthly|daily|hourly|15min&month=YYYY-MM``: one chart per service point."""
    account = get_linked_account_or_404(request.user, number)
    view = request.GET.get("view", charts.MONTHLY)
    points = charts.usage_view(account, view=view, month=request.GET.get("month"))
    return render(
        request,
        "portal/usage/usage.html",
        {
            "account": account,
            "points": [(point, _figures(point)) for point in points],
            "view": view if view in charts.VIEWS else charts.MONTHLY,
            "views": [
                (charts.MONTHLY, _("Monthly")),
                (charts.DAILY, _("Daily")),
                (charts.HOURLY, _("Hourly")),
                (charts.QUARTER_HOURLY, _("15 minutes")),
            ],
        },
    )


def _figures(point: charts.PointUsageView) -> dict[str, SafeString]:
    """The SVG charts (and, for hours and quarter hours, the long table) of one point."""
    code = point.code
    if point.view == charts.MONTHLY or not point.month:
        return {
            "energy": bars_svg(
                point.energy_points,
                chart_id=f"kwh-{code}",
                title=_("kWh by billing month, 13 months"),
                desc=_("One bar per month; the table below has the same figures."),
                unit="kWh",
            ),
            "cost": bars_svg(
                point.cost_points,
                chart_id=f"cost-{code}",
                title=_("Bill total by billing month, in dollars"),
                desc=_("One bar per billed month; the table below has the same figures."),
                unit="$",
            ),
        }
    if point.view == charts.DAILY:
        return {
            "energy": bars_svg(
                point.daily_points,
                chart_id=f"daily-{code}",
                title=_("kWh by day, %(month)s") % {"month": point.month},
                desc=_("One bar per day; the table below has each day's kWh and high."),
                unit="kWh",
            )
        }
    assert point.first_at is not None and point.end_at is not None
    hourly = point.view == charts.HOURLY
    what = _("hour") if hourly else _("15 minutes")
    title = _("kWh per %(what)s, %(month)s") % {"what": what, "month": point.month}
    return {
        "energy": steps_svg(
            point.buckets,
            first_at=point.first_at,
            end_at=point.end_at,
            minutes=point.bucket_minutes,
            chart_id=f"intervals-{code}",
            title=title,
            desc=_("Days of the month along the bottom; the table below has every figure."),
            unit="kWh",
        ),
        "table": interval_table(
            point.buckets,
            table_id=f"intervals-table-{code}",
            caption=title,
            minutes=point.bucket_minutes,
        ),
    }


@member_required
def rates(request: HttpRequest, number: str) -> HttpResponse:
    """ "My bill on every rate I could choose" for each interval-metered service point
    (computed once, then from the cache until the account's data or the tariffs change)."""
    account = get_linked_account_or_404(request.user, number)
    results = account_comparison(account, today=today())
    return render(request, "portal/usage/rates.html", {"account": account, "results": results})


def _interval_points(account_id: int) -> dict[str, int]:
    agreements = ServiceAgreement.objects.filter(account_id=account_id).select_related(
        "service_point"
    )
    return {
        agreement.service_point.code: agreement.service_point_id
        for agreement in agreements
        if interval_meters(agreement.service_point_id)
    }


@member_required
def download(request: HttpRequest, number: str) -> HttpResponse:
    """Green Button "Download My Data": the form, and the file once it is filled in."""
    account = get_linked_account_or_404(request.user, number)
    points = _interval_points(account.pk)
    yesterday = today() - timedelta(days=1)
    initial = {"start": yesterday - timedelta(days=29), "end": yesterday}
    if "start" in request.GET:
        form = DownloadForm(request.GET, points=list(points))
        if form.is_valid():
            data = form.cleaned_data
            made = green_button.download(
                interval_meters(points[data["point"]]),
                point_code=data["point"],
                start_on=data["start"],
                end_on=data["end"],
                file_format=data["file_format"],
                created_at=timezone.now(),
            )
            response = HttpResponse(made.content, content_type=made.content_type)
            response["Content-Disposition"] = f'attachment; filename="{made.file_name}"'
            return response
    else:
        form = DownloadForm(initial=initial, points=list(points))
    return render(
        request,
        "portal/usage/download.html",
        {"account": account, "form": form, "has_points": bool(points)},
    )


@member_required
def alerts(request: HttpRequest, number: str) -> HttpResponse:
    """The daily threshold (kWh, dollars or both) and the latest alerts it raised."""
    account = get_linked_account_or_404(request.user, number)
    current = UsageThreshold.objects.filter(account=account).first()
    if request.method == "POST":
        form = ThresholdForm(request.POST)
        if form.is_valid():
            saved = set_threshold(
                account,
                daily_kwh=form.cleaned_data["daily_kwh"],
                daily_amount=form.cleaned_data["daily_amount"],
            )
            messages.success(
                request,
                _("Your high-usage alert is saved.") if saved else _("High-usage alerts are off."),
            )
            return redirect("portal:usage_alerts", number=account.number)
    else:
        form = ThresholdForm(
            initial={
                "daily_kwh": current.daily_kwh if current else None,
                "daily_amount": current.daily_amount if current else "",
            }
        )
    return render(
        request,
        "portal/usage/alerts.html",
        {
            "account": account,
            "form": form,
            "threshold": current,
            "has_points": bool(_interval_points(account.pk)),
            "recent": UsageAlert.objects.filter(account=account).order_by("-day")[:10],
        },
    )
