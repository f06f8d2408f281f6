"""``{% bar_chart points title unit chart_id %}``: a server-drawn SVG bar chart."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import template

from coopcis.apps.backoffice.charts import bar_chart as make_chart

register = template.Library()


@register.inclusion_tag("backoffice/_bar_chart.html")
def bar_chart(
    points: Sequence[tuple[str, Decimal | None]], title: str, unit: str, chart_id: str
) -> dict[str, Any]:
    return {"chart": make_chart(points, title=title, unit=unit), "chart_id": chart_id}
