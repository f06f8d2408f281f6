"""The usage charts as SVG, and the long tables beside them, built as strings.

Built here rather than in templates for speed: a month of 15-minute data is 2,976 values
for the chart and 2,976 rows for its table, and Django's template engine would take most
of the page's time drawing them. Every text is escaped; the markup has no script and no
style attribute (the site's Content-Security-Policy): bars are coloured by class from
``usage/usage.css``. Each SVG has a ``<title>`` and a ``<desc>`` and is named by them
(``aria-labelledby``), and says which table has its figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils.dates import MONTHS_3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from coopcis.core.charts import LEFT, BarChart, StepChart, bar_chart, step_chart
from coopcis.core.periods import CO_OP_TIME_ZONE
from coopcis.core.usage.profile import Bucket


def _number(value: Decimal) -> str:
    text = f"{value:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _month_abbreviation(month: int) -> str:
    return str(MONTHS_3[month]).capitalize()


def _label(key: str) -> tuple[str, str]:
    """A bar's label and sublabel in the member's language (month and year, or day and
    month)."""
    if len(key) == 7:
        return _month_abbreviation(int(key[5:7])), key[:4]
    return str(int(key[8:10])), _month_abbreviation(int(key[5:7]))


def _open(chart_id: str, width: int, height: int, title: str, desc: str) -> list[str]:
    chart_id = escape(chart_id)
    return [
        f'<svg class="usage-chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]


def _grid(chart: BarChart | StepChart) -> list[str]:
    parts = []
    for line in chart.grid:
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{chart.width}" y1="{line.y}" y2="{line.y}"/>'
            f'<text class="axis" x="{LEFT - 4}" y="{line.y}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(line.label)}</text>'
        )
    base = chart.baseline
    parts.append(f'<line class="baseline" x1="{LEFT}" x2="{chart.width}" y1="{base}" y2="{base}"/>')
    return parts


def bars_svg(
    points: Sequence[tuple[str, Decimal | None]],
    *,
    chart_id: str,
    title: str,
    desc: str,
    unit: str,
) -> SafeString:
    """Bars for ``(key, value)`` points (months ``YYYY-MM`` or days ``YYYY-MM-DD``)."""
    chart = bar_chart(points, title=title, unit=unit)
    if not chart.has_values:
        return mark_safe(f'<p class="muted">{escape(_("No use recorded yet."))}</p>')
    parts = _open(chart_id, chart.width, chart.height, title, desc) + _grid(chart)
    previous = ""
    for bar in chart.bars:
        label, sublabel = _label(bar.key)
        if bar.value is not None:
            css = "bar bar-latest" if bar.latest else "bar"
            parts.append(
                f'<rect class="{css}" data-key="{escape(bar.key)}" x="{bar.x}" y="{bar.y}" '
                f'width="{bar.width}" height="{bar.height}"><title>{escape(bar.key)}: '
                f"{_number(bar.value)} {escape(unit)}</title></rect>"
            )
        parts.append(
            f'<text class="axis" x="{bar.label_x}" y="{chart.height - 16}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
        if sublabel != previous:
            parts.append(
                f'<text class="axis" x="{bar.label_x}" y="{chart.height - 4}" '
                f'text-anchor="middle">{escape(sublabel)}</text>'
            )
        previous = sublabel
    parts.append("</svg>")
    return mark_safe("".join(parts))


def steps_svg(
    buckets: Sequence[Bucket],
    *,
    first_at: datetime,
    end_at: datetime,
    minutes: int,
    chart_id: str,
    title: str,
    desc: str,
    unit: str,
) -> SafeString:
    """A month of hours or quarter hours as one stepped area, placed by absolute time
    (a DST day is 23 or 25 hours wide); days 1, 8, 15, 22 and 29 are labelled."""
    step = minutes * 60
    origin = int(first_at.timestamp())
    slots = (int(end_at.timestamp()) - origin) // step
    values = [
        ((int(bucket.start_at.timestamp()) - origin) // step, bucket.energy_wh)
        for bucket in buckets
    ]
    ticks = []
    day = first_at
    while day < end_at:
        if day.day in (1, 8, 15, 22, 29):
            ticks.append(((int(day.timestamp()) - origin) // step, str(day.day)))
        day = datetime.combine(day.date() + timedelta(days=1), time(0), tzinfo=CO_OP_TIME_ZONE)
    chart = step_chart(values, slots=slots, ticks=ticks, title=title, unit=unit)
    if not chart.has_values:
        return mark_safe(f'<p class="muted">{escape(_("No interval data for this month."))}</p>')
    parts = _open(chart_id, chart.width, chart.height, title, desc) + _grid(chart)
    parts.append(f'<path class="steps" d="{chart.path}"/>')
    for tick in chart.ticks:
        parts.append(
            f'<text class="axis" x="{tick.x}" y="{chart.height - 16}" '
            f'text-anchor="middle">{escape(tick.label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def interval_table(
    buckets: Sequence[Bucket], *, table_id: str, caption: str, minutes: int
) -> SafeString:
    """Every hour or quarter hour of the chart: start (local), kWh and average kW."""
    heads = (_("Starts"), _("kWh"), _("Average kW"))
    rows = [
        f'<table class="usage-table" id="{escape(table_id)}" data-testid="{escape(table_id)}">'
        f"<caption>{escape(caption)}</caption><thead><tr>"
        + "".join(f'<th scope="col">{escape(head)}</th>' for head in heads)
        + "</tr></thead><tbody>"
    ]
    for bucket in buckets:
        local = bucket.start_at.astimezone(CO_OP_TIME_ZONE)
        kw = Decimal(bucket.energy_wh) * 60 / minutes / 1000
        rows.append(
            f'<tr><th scope="row">{local:%Y-%m-%d %H:%M}</th>'
            f'<td class="num">{_number(bucket.energy_kwh)}</td>'
            f'<td class="num">{_number(kw.quantize(Decimal("0.001")))}</td></tr>'
        )
    rows.append("</tbody></table>")
    return mark_safe("".join(rows))
