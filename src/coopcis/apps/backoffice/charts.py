"""The bar-chart geometry now lives in the core (:mod:`coopcis.core.charts`), so the
member portal's usage charts and the back office's draw bars the same way."""

from coopcis.core.charts import (
    BOTTOM,
    HEIGHT,
    LEFT,
    MONTH_ABBREVIATIONS,
    TOP,
    WIDTH,
    Bar,
    BarChart,
    GridLine,
    bar_chart,
    month_label,
    nice_ceiling,
)

__all__ = [
    "BOTTOM",
    "HEIGHT",
    "LEFT",
    "MONTH_ABBREVIATIONS",
    "TOP",
    "WIDTH",
    "Bar",
    "BarChart",
    "GridLine",
    "bar_chart",
    "month_label",
    "nice_ceiling",
]
