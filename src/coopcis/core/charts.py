"""Bar charts drawn on the server as SVG, with the same figures as a table beside them.

No JavaScript and no style attributes: the page's stylesheet colours the bars by class,
so the charts pass a strict Content-Security-Policy. Bar heights are floats (drawing
only); the labels and the table show the Decimal figures as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT = 640, 180
LEFT, BOTTOM, TOP = 46, 30, 10
MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Bar:
    key: str  # "2026-03", or "2026-03-14" for a day
    label: str  # "Mar"
    sublabel: str  # the year under January and the first bar
    value: Decimal | None
    x: float
    y: float
    width: float
    height: float
    latest: bool

    @property
    def label_x(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True, slots=True)
class GridLine:
    y: float
    label: str


@dataclass(frozen=True, slots=True)
class BarChart:
    """What ``backoffice/_bar_chart.html`` draws: bars, gridlines and the unit."""

    title: str
    unit: str
    bars: tuple[Bar, ...]
    grid: tuple[GridLine, ...]
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def baseline(self) -> float:
        return self.height - BOTTOM

    @property
    def has_values(self) -> bool:
        return any(bar.value is not None for bar in self.bars)


def nice_ceiling(value: Decimal) -> Decimal:
    """A round top for the scale: 100, 200, 250, 500, 1,000, 2,000, ..."""
    if value <= 0:
        return Decimal(100)
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, Decimal("2.5"), 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def month_label(key: str) -> tuple[str, str]:
    """``"2026-01"`` -> ``("Jan", "2026")``; ``"2026-01-14"`` -> ``("14", "Jan")``."""
    if len(key) == 7:
        return MONTH_ABBREVIATIONS[int(key[5:7]) - 1], key[:4]
    return str(int(key[8:10])), MONTH_ABBREVIATIONS[int(key[5:7]) - 1]


def bar_chart(points: Sequence[tuple[str, Decimal | None]], *, title: str, unit: str) -> BarChart:
    """Bars for ``(key, value)`` points, oldest first; the latest is highlighted. The year
    (or the month, for days) is shown under the first bar and where it changes."""
    known = [value for _, value in points if value is not None]
    top = nice_ceiling(max(known, default=Decimal(0)))
    plot_height = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT) / max(len(points), 1)
    bars = []
    previous_sublabel = ""
    for index, (key, value) in enumerate(points):
        label, sublabel = month_label(key)
        shown = max(value, Decimal(0)) if value is not None else Decimal(0)
        height = float(shown / top) * plot_height
        bars.append(
            Bar(
                key=key,
                label=label,
                sublabel=sublabel if sublabel != previous_sublabel else "",
                value=value,
                x=round(LEFT + index * slot + slot * 0.15, 1),
                y=round(HEIGHT - BOTTOM - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                latest=index == len(points) - 1,
            )
        )
        previous_sublabel = sublabel
    grid = tuple(
        GridLine(
            round(float(HEIGHT - BOTTOM - plot_height * fraction), 1), f"{top * fraction:,.0f}"
        )
        for fraction in (Decimal("0.5"), Decimal(1))
    )
    return BarChart(title=title, unit=unit, bars=tuple(bars), grid=grid)


@dataclass(frozen=True, slots=True)
class Tick:
    """A label under the axis (a day under the 15-minute and hourly charts)."""

    x: float
    label: str


@dataclass(frozen=True, slots=True)
class StepChart:
    """A dense series (hundreds or thousands of intervals) drawn as one stepped area.

    One ``<path>`` instead of a ``<rect>`` per interval keeps a month of 15-minute data
    (about 2,976 values) small and fast to draw; the table beside it has every figure.
    """

    title: str
    unit: str
    path: str
    grid: tuple[GridLine, ...]
    ticks: tuple[Tick, ...]
    count: int
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def baseline(self) -> float:
        return self.height - BOTTOM

    @property
    def has_values(self) -> bool:
        return self.count > 0


def step_chart(
    values_wh: Sequence[tuple[int, int]],
    *,
    slots: int,
    ticks: Sequence[tuple[int, str]],
    title: str,
    unit: str,
) -> StepChart:
    """A stepped area for ``(slot, Wh)`` values over ``slots`` equal slots (a slot with no
    value is drawn at zero), scaled in kWh to a round top; ``ticks`` label slots."""
    top_wh = nice_ceiling(Decimal(max((wh for _, wh in values_wh), default=0)) / 1000) * 1000
    plot_height = HEIGHT - BOTTOM - TOP
    base = HEIGHT - BOTTOM
    slot = (WIDTH - LEFT) / max(slots, 1)
    scale = plot_height / float(top_wh)  # drawing only: floats place the path, not figures
    commands = [f"M{LEFT} {base}"]
    previous_end = -1
    for index, energy_wh in values_wh:
        if index != previous_end:
            commands.append(f"V{base}H{LEFT + index * slot:.2f}")
        commands.append(f"V{base - max(energy_wh, 0) * scale:.1f}H{LEFT + (index + 1) * slot:.2f}")
        previous_end = index + 1
    commands.append(f"V{base}Z")
    grid = tuple(
        GridLine(
            round(float(base - plot_height * fraction), 1),
            f"{top_wh * fraction / 1000:,.2f}".rstrip("0").rstrip("."),
        )
        for fraction in (Decimal("0.5"), Decimal(1))
    )
    placed = tuple(Tick(round(LEFT + (index + 0.5) * slot, 1), label) for index, label in ticks)
    return StepChart(
        title=title,
        unit=unit,
        path="".join(commands),
        grid=grid,
        ticks=placed,
        count=len(values_wh),
    )
