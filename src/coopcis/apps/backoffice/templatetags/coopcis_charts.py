"""``{% bar_chart points title unit chart_id %}``: a server-drawn SVG bar chart.

Built as a string here rather than in a template: a chart has up to a few dozen bars, and
Django's template engine took most of the account page's usage card time drawing them.
Every text is escaped; the markup has no script and no style attribute (CSP).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from coopcis.apps.backoffice.charts import LEFT, BarChart
from coopcis.apps.backoffice.charts import bar_chart as make_chart
from coopcis.apps.backoffice.templatetags.coopcis_numbers import plain_number

register = template.Library()


def _svg(chart: BarChart, chart_id: str) -> str:
    title_id = f"{chart_id}-title"
    parts = [
        f'<svg class="bar-chart" viewBox="0 0 {chart.width} {chart.height}" role="img" '
        f'aria-labelledby="{title_id}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{title_id}">{escape(chart.title)}; the table beside it has the '
        "figures.</title>",
    ]
    for line in chart.grid:
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{chart.width}" y1="{line.y}" y2="{line.y}"/>'
            f'<text class="axis" x="{LEFT - 4}" y="{line.y}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(line.label)}</text>'
        )
    base = chart.baseline
    parts.append(f'<line class="baseline" x1="{LEFT}" x2="{chart.width}" y1="{base}" y2="{base}"/>')
    for bar in chart.bars:
        if bar.value is not None:
            css = "bar bar-latest" if bar.latest else "bar"
            parts.append(
                f'<rect class="{css}" data-key="{escape(bar.key)}" x="{bar.x}" y="{bar.y}" '
                f'width="{bar.width}" height="{bar.height}"><title>{escape(bar.key)}: '
                f"{plain_number(bar.value)} {escape(chart.unit)}</title></rect>"
            )
        parts.append(
            f'<text class="axis" x="{bar.label_x}" y="{chart.height - 16}" '
            f'text-anchor="middle">{escape(bar.label)}</text>'
        )
        if bar.sublabel:
            parts.append(
                f'<text class="axis" x="{bar.label_x}" y="{chart.height - 4}" '
                f'text-anchor="middle">{escape(bar.sublabel)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


@register.simple_tag
def bar_chart(
    points: Sequence[tuple[str, Decimal | None]], title: str, unit: str, chart_id: str
) -> SafeString:
    chart = make_chart(points, title=title, unit=unit)
    body = (
        _svg(chart, escape(chart_id))
        if chart.has_values
        else '<p class="muted">No use recorded in these months.</p>'
    )
    return mark_safe(
        f'<figure class="chart" data-testid="chart-{escape(chart_id)}">'
        f"<figcaption>{escape(title)}</figcaption>{body}</figure>"
    )
