"""Draw one bill on US Letter with reportlab's canvas: fast, no HTML, standard fonts.

Page 1, top to bottom: the co-op and the bill's key figures; the mailing address where
a #10 window envelope shows it; the service address and meter reads; the charges with
their clauses and the account summary on the left, the 13-month usage chart and the
messages (outages, ways to pay) on the right; and the remittance stub with its scan
line. Charge lines that do not fit on page 1 continue on further pages.

Amounts are Decimal from the database, formatted as text; only chart bar heights are
floats. The standard PDF fonts carry the Latin-1 accents Spanish needs, so nothing is
embedded and a bill is a few kilobytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any

from reportlab import rl_config
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from coopcis.apps.billing import bill_text as bt
from coopcis.apps.billing.pdf.document import BillDocument, LineView, NetMeteringView
from coopcis.catalog.profiles import CoOpProfile
from coopcis.core.billing.scan_line import make_scan_line
from coopcis.core.money import Money

# Compressed page streams stay binary: ASCII85 only makes them a quarter bigger and,
# without reportlab's C accelerator, costs a third of the time a bill takes.
rl_config.useA85 = 0

WIDTH, HEIGHT = LETTER
MARGIN = 36.0
RIGHT = WIDTH - MARGIN
REGULAR, BOLD, MONO = "Helvetica", "Helvetica-Bold", "Courier"
GREY, INK, ACCENT = (0.42, 0.42, 0.42), (0.0, 0.0, 0.0), (0.11, 0.30, 0.50)

# The page, in points from the bottom.
STUB_TOP = 216.0
BODY_TOP = 548.0
BODY_BOTTOM = STUB_TOP + 14
LEFT_WIDTH = 330.0
SIDE_X = MARGIN + LEFT_WIDTH + 22
SIDE_WIDTH = RIGHT - SIDE_X
CONTINUATION_TOP = HEIGHT - 90

DASH = "\u2013"  # en dash, in the standard fonts

LINE_FONT, CLAUSE_FONT = 7.8, 5.8
QUANTITY_X, RATE_X, AMOUNT_X = MARGIN + 236, MARGIN + 288, MARGIN + LEFT_WIDTH
DESCRIPTION_WIDTH = 168.0
SHEET_HEIGHT = 8.5
NET_FONT = 7.2  # the net-metering box under the account summary  # a row of the rate schedule's name under the charges' title


@dataclass(frozen=True, slots=True)
class RenderedBill:
    """A bill's PDF and how many pages it has (the print manifest counts sheets)."""

    number: str
    pdf: bytes
    pages: int


@dataclass(frozen=True, slots=True)
class _LineBlock:
    """A charge line laid out: its wrapped description and clause, and its height."""

    line: LineView
    description: tuple[str, ...]
    clause: tuple[str, ...]

    @property
    def height(self) -> float:
        return len(self.description) * 9.4 + len(self.clause) * 6.8 + 3.0


@lru_cache(maxsize=4096)
def _wrap(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    # Cached: the clauses and messages are the same on thousands of bills in a run.
    return tuple(simpleSplit(text, font, size, width)) or ("",)


def _line_blocks(document: BillDocument, words: dict[str, str]) -> list[_LineBlock]:
    return [
        _LineBlock(
            line,
            _wrap(bt.describe_line(line.description, document.language), REGULAR, LINE_FONT,
                  DESCRIPTION_WIDTH),
            _wrap(f"{words['clause']}: {bt.member_clause(line.source)}", REGULAR, CLAUSE_FONT,
                  LEFT_WIDTH - 8)
            if line.source
            else (),
        )
        for line in document.lines
    ]  # fmt: skip


def _split_pages(blocks: list[_LineBlock], first_room: float) -> list[list[_LineBlock]]:
    """Charge lines per page: as many as fit on page 1, the rest on continuation pages."""
    pages: list[list[_LineBlock]] = [[]]
    room = first_room
    for block in blocks:
        if block.height > room and pages[-1]:
            pages.append([])
            room = CONTINUATION_TOP - MARGIN - 30
        pages[-1].append(block)
        room -= block.height
    return pages


def _summary_height(document: BillDocument) -> float:
    rows = 4 if document.other_activity_amount else 3
    return 14 + (rows + 1) * 11 + 14 + _net_height(document)


def render_bill(document: BillDocument, profile: CoOpProfile) -> RenderedBill:
    """The bill as PDF bytes, in the account's language."""
    words = bt.text(document.language)
    buffer = io.BytesIO()
    canvas = open_canvas(
        buffer, profile, f"{profile.short_name} {words['title']} {document.number}"
    )
    blocks = _line_blocks(document, words)
    sheet = _wrap(_tariff_sheet(document, words), REGULAR, 6.8, LEFT_WIDTH)
    first_room = BODY_TOP - 24 - len(sheet) * SHEET_HEIGHT - BODY_BOTTOM - _summary_height(document)
    pages = _split_pages(blocks, first_room)
    page_count = len(pages)

    _header(canvas, document, profile, words)
    _addresses(canvas, document, words)
    _reads(canvas, document, words)
    y = _charges(canvas, document, words, pages[0], BODY_TOP, continued=False)
    if page_count == 1:
        _net_metering(canvas, document, words, _summary(canvas, document, words, y - 6) - 16)
    _usage_chart(canvas, document, words, BODY_TOP)
    _messages(canvas, document, profile, words, BODY_TOP - 136)
    _stub(canvas, document, profile, words)
    _page_furniture(canvas, document, words, 1, page_count)
    for number, page in enumerate(pages[1:], start=2):
        canvas.showPage()
        _continuation_header(canvas, document, profile, words)
        y = _charges(canvas, document, words, page, CONTINUATION_TOP, continued=True)
        if number == page_count:
            _net_metering(canvas, document, words, _summary(canvas, document, words, y - 6) - 16)
        _page_furniture(canvas, document, words, number, page_count)
    canvas.showPage()
    canvas.save()
    return RenderedBill(document.number, buffer.getvalue(), page_count)


def open_canvas(buffer: io.BytesIO, profile: CoOpProfile, title: str) -> BillCanvas:
    """A US Letter canvas writing to ``buffer``, with the document's title and the co-op as
    author; ``invariant`` keeps the bytes the same from run to run."""
    canvas = BillCanvas(buffer, pagesize=LETTER, pageCompression=1, invariant=1)
    canvas.setTitle(title)
    canvas.setAuthor(profile.name)
    canvas.setCreator("coopcis")
    return canvas


class BillCanvas(Canvas):
    """A canvas that writes a page's text as one PDF text object.

    reportlab's ``drawString`` opens a text object per string and sets font and colour
    each time; a bill has about 150 strings, and doing that for each was half the time
    a bill took. Text is written over the page's lines and boxes when the page ends.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._words: Any = None
        self._font: tuple[str, float] | None = None
        self._color: tuple[float, float, float] | None = None

    def write(
        self, x: float, y: float, value: str, font: str, size: float,
        color: tuple[float, float, float], align: str,
    ) -> None:  # fmt: skip
        if self._words is None:
            self._words = self.beginText()
            self._font = self._color = None
        if self._font != (font, size):
            self._words.setFont(font, size)
            self._font = (font, size)
        if self._color != color:
            self._words.setFillColorRGB(*color)
            self._color = color
        if align != "left":
            width = stringWidth(value, font, size)
            x -= width if align == "right" else width / 2
        self._words.setTextOrigin(x, y)
        self._words.textOut(value)

    def fill(self, color: tuple[float, float, float]) -> None:
        self.setFillColorRGB(*color)

    def showPage(self) -> None:
        if self._words is not None:
            self.drawText(self._words)
            self._words = None
        super().showPage()


def _text(
    canvas: BillCanvas,
    x: float,
    y: float,
    value: str,
    *,
    font: str = REGULAR,
    size: float = 8.0,
    color: tuple[float, float, float] = INK,
    align: str = "left",
) -> None:
    canvas.write(x, y, value, font, size, color, align)


#: The text helpers under public names, for the other documents drawn the way a bill is
#: (the account summary statement, :mod:`.summary_render`).
draw_text = _text
wrap_text = _wrap


def _header(
    canvas: BillCanvas, document: BillDocument, profile: CoOpProfile, words: dict[str, str]
) -> None:
    coop_header(canvas, profile, words, words["title"])
    rows = (
        (words["account_number"], document.account_number),
        (words["bill_number"], document.number),
        (words["bill_date"], bt.long_date(document.bill_date, document.language)),
        (words["due_date"], bt.long_date(document.due_date, document.language)),
    )
    key_figures(canvas, rows, words["amount_due"], document.amount_due_amount)


def coop_header(
    canvas: BillCanvas, profile: CoOpProfile, words: dict[str, str], title: str
) -> None:
    """Top left of page 1: the co-op, the document's title, its offices and phones."""
    top = HEIGHT - MARGIN
    _text(canvas, MARGIN, top - 12, profile.name, font=BOLD, size=13, color=ACCENT)
    _text(canvas, MARGIN, top - 26, title, font=BOLD, size=10)
    y = top - 38
    for office in profile.offices:
        line = f"{office.name}: {office.full_address}" + (
            f", {office.phone}" if office.phone else ""
        )
        for row in _wrap(line, REGULAR, 7, 300):
            _text(canvas, MARGIN, y, row, size=7, color=GREY)
            y -= 8.5
    contact = " · ".join(part for part in (
        f"{words['outage_line']} {profile.outage_phone}" if profile.outage_phone else "",
        profile.website,
    ) if part)  # fmt: skip
    _text(canvas, MARGIN, y, contact, size=7, color=GREY)


def key_figures(
    canvas: BillCanvas, rows: tuple[tuple[str, str], ...], amount_label: str, amount: Decimal
) -> None:
    """Top right of page 1: a box of four labelled figures and, below them, the amount."""
    box_x, box_top = SIDE_X - 40, HEIGHT - MARGIN
    canvas.setStrokeColorRGB(*ACCENT)
    canvas.setLineWidth(0.8)
    canvas.roundRect(box_x, box_top - 78, RIGHT - box_x, 78, 4, stroke=1, fill=0)
    y = box_top - 13
    for label, value in rows:
        _text(canvas, box_x + 8, y, label, size=7.5, color=GREY)
        _text(canvas, RIGHT - 8, y, value, font=BOLD, size=8.5, align="right")
        y -= 12
    _text(canvas, box_x + 8, y - 6, amount_label, font=BOLD, size=10, color=ACCENT)
    _text(canvas, RIGHT - 8, y - 6, bt.money(amount), font=BOLD, size=13,
          align="right")  # fmt: skip


def mailing_block(canvas: BillCanvas, lines: tuple[str, ...]) -> None:
    """The mailing address, where a #10 window envelope shows it on a letter folded in
    thirds."""
    y = HEIGHT - 150
    for index, line in enumerate(lines):
        _text(canvas, 60, y, line.upper(), font=BOLD if index == 0 else REGULAR, size=9.5)
        y -= 11.5


def _addresses(canvas: BillCanvas, document: BillDocument, words: dict[str, str]) -> None:
    mailing_block(canvas, document.mailing_lines)
    x, y = SIDE_X - 40, HEIGHT - 126
    _text(canvas, x, y, words["service_address"], size=7, color=GREY)
    for row in _wrap(document.service_address, REGULAR, 8.5, RIGHT - x)[:2]:
        y -= 10
        _text(canvas, x, y, row, size=8.5)
    y -= 14
    columns = (
        (x, words["service_point"], document.service_point_code),
        (x + 66, words["rate_schedule"], document.tariff_code),
        (x + 136, words["service_period"], bt.date_range(
            document.period_start, document.period_end, document.language)),
    )  # fmt: skip
    for column_x, label, value in columns:
        _text(canvas, column_x, y, label, size=7, color=GREY)
        _text(canvas, column_x, y - 10, value, size=8.5)


def _kwh(wh: int | None) -> str:
    return "—" if wh is None else bt.number(Decimal(wh) / 1000)


kwh_text = _kwh


def register_text(wh: int | None) -> str:
    """A register read as the meter's dials show it: whole kWh, the fraction dropped
    (``380109244`` Wh -> ``380,109``); the kWh used keeps the billed figure exactly."""
    return "—" if wh is None else f"{wh // 1000:,d}"


def _read_kind(kind: str, words: dict[str, str]) -> str:
    return words["estimated"] if kind == "ESTIMATED" else words["actual"] if kind else ""


def _reads(canvas: BillCanvas, document: BillDocument, words: dict[str, str]) -> None:
    top = BODY_TOP + 52
    _text(canvas, MARGIN, top, words["meter_reads"], font=BOLD, size=9, color=ACCENT)
    canvas.setStrokeColorRGB(*ACCENT)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, top - 3, RIGHT, top - 3)
    if not document.is_metered:
        _text(canvas, MARGIN, top - 16, words["unmetered"], size=8)
        return
    columns = (
        (MARGIN, words["meter"], document.meter_serial or "—", "left"),
        (MARGIN + 150, words["previous_read"], register_text(document.previous_register_wh),
         "right"),
        (MARGIN + 250, words["current_read"], register_text(document.current_register_wh),
         "right"),
        (MARGIN + 320, words["multiplier"], str(document.multiplier), "right"),
        (MARGIN + 400, words["energy_used"], _kwh(document.energy_wh), "right"),
        (MARGIN + 470, words["demand"],
         "—" if document.demand_kw is None else bt.number(document.demand_kw), "right"),
        (RIGHT, words["power_factor"],
         "—" if document.power_factor is None else bt.number(document.power_factor), "right"),
    )  # fmt: skip
    for x, label, value, align in columns:
        _text(canvas, x, top - 13, label, size=6.8, color=GREY, align=align)
        _text(canvas, x, top - 24, value, font=BOLD, size=8.5, align=align)
    previous_kind = _read_kind(document.previous_read_kind, words)
    current_kind = _read_kind(
        document.current_read_kind or ("ESTIMATED" if document.estimated else ""), words
    )
    for x, kind in ((MARGIN + 150, previous_kind), (MARGIN + 250, current_kind)):
        estimated = kind == words["estimated"]
        _text(canvas, x, top - 33, kind, font=BOLD if estimated else REGULAR, size=6.5,
              color=(0.7, 0.1, 0.1) if estimated else GREY, align="right")  # fmt: skip
    days = (document.period_end - document.period_start).days
    if document.energy_wh is not None and days > 0:
        average = Decimal(document.energy_wh) / 1000 / days
        summary = f"{words['days']}: {days} · {words['average_per_day']}: {bt.number(average, 1)}"
        _text(canvas, RIGHT, top - 33, summary,
              size=6.8, color=GREY, align="right")  # fmt: skip


def _quantity(line: LineView, language: str) -> str:
    if line.unit == "$":
        return bt.money(line.quantity)
    unit = bt.unit_label(line.unit, language)
    return f"{bt.number(line.quantity)} {unit}".strip()


def _rate(line: LineView) -> str:
    if line.unit == "$":
        return f"{bt.number(line.rate * 100)}%"
    exponent = line.rate.normalize().as_tuple().exponent
    cents_or_finer = isinstance(exponent, int) and exponent <= -2
    return f"${bt.number(line.rate) if cents_or_finer else bt.number(line.rate, 2)}"


def _tariff_sheet(document: BillDocument, words: dict[str, str]) -> str:
    """The rate schedule the charges come from, as a member asks the office for it."""
    name = document.tariff_name or document.tariff_code
    if document.tariff_effective_on is None:
        return f"{words['rate_schedule']}: {name}"
    effective = bt.long_date(document.tariff_effective_on, document.language)
    return words["tariff_sheet"].format(name=name, date=effective)


def _charges(
    canvas: BillCanvas,
    document: BillDocument,
    words: dict[str, str],
    blocks: list[_LineBlock],
    top: float,
    *,
    continued: bool,
) -> float:
    title = words["charges"] + (f" ({words['continued']})" if continued else "")
    _text(canvas, MARGIN, top, title, font=BOLD, size=9, color=ACCENT)
    canvas.setStrokeColorRGB(*ACCENT)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, top - 3, MARGIN + LEFT_WIDTH, top - 3)
    y = top - 12
    if not continued:
        for row in _wrap(_tariff_sheet(document, words), REGULAR, 6.8, LEFT_WIDTH):
            _text(canvas, MARGIN, y, row, size=6.8)
            y -= SHEET_HEIGHT
        y -= 1.5
    _text(canvas, MARGIN, y, words["description"], size=6.8, color=GREY)
    for x, key in ((QUANTITY_X, "quantity"), (RATE_X, "rate"), (AMOUNT_X, "amount")):
        _text(canvas, x, y, words[key], size=6.8, color=GREY, align="right")
    y -= 11
    for block in blocks:
        line = block.line
        _text(canvas, QUANTITY_X, y, _quantity(line, document.language), size=LINE_FONT,
              align="right")  # fmt: skip
        _text(canvas, RATE_X, y, _rate(line), size=LINE_FONT, align="right")
        _text(canvas, AMOUNT_X, y, bt.money(line.amount), size=LINE_FONT, align="right")
        for row in block.description:
            _text(canvas, MARGIN, y, row, size=LINE_FONT)
            y -= 9.4
        for row in block.clause:
            _text(canvas, MARGIN + 8, y + 2, row, size=CLAUSE_FONT, color=GREY)
            y -= 6.8
        y -= 3
    return y


def _summary(
    canvas: BillCanvas, document: BillDocument, words: dict[str, str], top: float
) -> float:
    canvas.setStrokeColorRGB(*INK)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN + 180, top + 4, MARGIN + LEFT_WIDTH, top + 4)
    _text(canvas, MARGIN, top - 6, words["total_current_charges"], font=BOLD, size=8)
    _text(canvas, AMOUNT_X, top - 6, bt.money(document.total_amount), font=BOLD, size=8,
          align="right")  # fmt: skip
    y = top - 24
    _text(canvas, MARGIN, y, words["account_summary"], font=BOLD, size=9, color=ACCENT)
    canvas.setStrokeColorRGB(*ACCENT)
    canvas.line(MARGIN, y - 3, MARGIN + LEFT_WIDTH, y - 3)
    rows = [
        (words["previous_balance"], bt.money(document.previous_balance_amount)),
        (words["payments"], bt.money(-document.payments_amount)),
    ]
    if document.other_activity_amount:
        rows.append((words["other_charges"], bt.money(document.other_activity_amount)))
    rows.append((words["current_charges"], bt.money(document.total_amount)))
    for label, value in rows:
        y -= 11
        _text(canvas, MARGIN, y, label, size=8)
        _text(canvas, AMOUNT_X, y, value, size=8, align="right")
    y -= 13
    due_label = f"{words['amount_due']} {DASH} {bt.long_date(document.due_date, document.language)}"
    _text(canvas, MARGIN, y, due_label, font=BOLD, size=9)
    _text(canvas, AMOUNT_X, y, bt.money(document.amount_due_amount), font=BOLD, size=9,
          align="right")  # fmt: skip
    return y


def _nice_ceiling(value: float) -> float:
    """A round top for the chart's scale (100, 200, 250, 500, 1,000, ...)."""
    if value <= 0:
        return 100.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return float(step * magnitude)
    return float(10 * magnitude)


def _usage_chart(
    canvas: BillCanvas, document: BillDocument, words: dict[str, str], top: float
) -> None:
    _text(canvas, SIDE_X, top, words["usage_history"], font=BOLD, size=9, color=ACCENT)
    canvas.setStrokeColorRGB(*ACCENT)
    canvas.setLineWidth(0.5)
    canvas.line(SIDE_X, top - 3, RIGHT, top - 3)
    values = [month.energy_kwh for month in document.usage]
    known = [float(value) for value in values if value is not None]
    if not known or not document.is_metered:
        _text(canvas, SIDE_X, top - 18, words["no_usage"], size=7.5, color=GREY)
        return
    scale_top = _nice_ceiling(max(known))
    base, height, axis_x = top - 100, 78.0, SIDE_X + 24
    slot = (RIGHT - axis_x) / len(values)
    canvas.setStrokeColorRGB(0.8, 0.8, 0.8)
    canvas.setLineWidth(0.3)
    for fraction in (0.5, 1.0):
        y = base + height * fraction
        canvas.line(axis_x, y, RIGHT, y)
        _text(canvas, axis_x - 3, y - 2, f"{scale_top * fraction:,.0f}", size=5.5, color=GREY,
              align="right")  # fmt: skip
    canvas.setStrokeColorRGB(*GREY)
    canvas.line(axis_x, base, RIGHT, base)
    _text(canvas, axis_x - 3, base - 2, "0", size=5.5, color=GREY, align="right")
    for index, (month, value) in enumerate(zip(document.usage, values, strict=True)):
        x = axis_x + index * slot
        if value is not None and value > 0:
            bar = height * min(float(value) / scale_top, 1.0)
            current = index == len(values) - 1
            canvas.fill(ACCENT if current else (0.62, 0.72, 0.82))
            canvas.rect(x + slot * 0.18, base, slot * 0.64, bar, stroke=0, fill=1)
        label = bt.month_label(month.period, document.language)
        _text(canvas, x + slot / 2, base - 8, label, size=5.3, color=GREY, align="center")
        if index == 0 or month.period.endswith("-01"):
            _text(canvas, x + slot / 2, base - 14.5, month.period[:4], size=4.8, color=GREY,
                  align="center")  # fmt: skip


def _paragraph(canvas: BillCanvas, y: float, value: str, *, font: str = REGULAR,
               size: float = 6.6, bullet: bool = False) -> float:  # fmt: skip
    indent = 6 if bullet else 0
    for index, row in enumerate(_wrap(value, font, size, SIDE_WIDTH - indent)):
        if bullet and index == 0:
            _text(canvas, SIDE_X, y, "•", size=size)
        _text(canvas, SIDE_X + indent, y, row, font=font, size=size)
        y -= size + 1.5
    return y


def _net_rows(net: NetMeteringView, words: dict[str, str]) -> list[str]:
    rows = [
        words["net_energy"].format(
            delivered=_kwh(net.delivered_wh), received=_kwh(net.received_wh), net=_kwh(net.net_wh)
        )
    ]
    if net.excess_wh:
        rows.append(
            words["net_excess"].format(
                excess=_kwh(net.excess_wh),
                rate=bt.number(net.avoided_cost_per_kwh or Decimal(0)),
                credit=bt.money(net.credit_amount),
            )
        )
    bank = words["net_bank"].format(
        before=bt.money(net.bank_before_amount), after=bt.money(net.bank_after_amount)
    )
    if net.payout_amount:
        said = "net_paid_credit" if net.payout_method == "BILL_CREDIT" else "net_paid"
        bank += " " + words[said].format(
            paid=bt.money(net.payout_amount), threshold=bt.money(net.payout_above)
        )
    rows.append(bank)
    return rows


def _net_height(document: BillDocument) -> float:
    """Room the net-metering box takes under the account summary (none for other bills)."""
    if document.net_metering is None:
        return 0.0
    words = bt.text(document.language)
    lines = sum(
        len(_wrap(row, REGULAR, NET_FONT, LEFT_WIDTH))
        for row in _net_rows(document.net_metering, words)
    )
    return 20 + lines * (NET_FONT + 1.5)


def _net_metering(
    canvas: BillCanvas, document: BillDocument, words: dict[str, str], top: float
) -> None:
    """Under the account summary: the netting, the excess credited and the bank (SEC policy
    425). The credit is not on this bill: it goes to the member's net-metering bank."""
    net = document.net_metering
    if net is None:
        return
    _text(canvas, MARGIN, top, words["net_title"], font=BOLD, size=8, color=ACCENT)
    y = top - 10
    for row in _net_rows(net, words):
        for part in _wrap(row, REGULAR, NET_FONT, LEFT_WIDTH):
            _text(canvas, MARGIN, y, part, size=NET_FONT)
            y -= NET_FONT + 1.5


def _messages(
    canvas: BillCanvas,
    document: BillDocument,
    profile: CoOpProfile,
    words: dict[str, str],
    top: float,
) -> None:
    y = top
    notices: list[str] = []
    if document.estimated:
        notices.append(words["estimated_notice"])
    if document.autopay:
        notices.append(words["autopay"])
    if document.amount_due_amount <= 0:
        notices.append(words["credit_balance"])
    for notice in notices:
        y = _paragraph(canvas, y, notice, font=BOLD, size=6.8) - 3
    _text(canvas, SIDE_X, y, words["outage_title"], font=BOLD, size=7.8, color=ACCENT)
    y = _paragraph(canvas, y - 9, words["outage_text"].format(phone=profile.outage_phone)) - 4
    # the member portal's address from the co-op profile (its website when it has none)
    portal = profile.portal_address or profile.website
    _text(canvas, SIDE_X, y, words["ways_to_pay_title"], font=BOLD, size=7.8, color=ACCENT)
    y -= 9
    for key in ("pay_mail", "pay_office", "pay_drop_box", "pay_online", "pay_phone",
                "pay_kiosk", "pay_draft"):  # fmt: skip
        y = _paragraph(canvas, y, words[key].format(portal=portal), bullet=True)
    days = (document.due_date - document.bill_date).days
    y = _paragraph(canvas, y - 3, words["payable_within"].format(days=days))
    _paragraph(canvas, y - 2, words["arrangement"].format(portal=portal))


def _stub(
    canvas: BillCanvas, document: BillDocument, profile: CoOpProfile, words: dict[str, str]
) -> None:
    amount = max(Money.of(document.amount_due_amount), Money.zero())
    rows = (
        (words["account_number"], document.account_number),
        (words["bill_number"], document.number),
        (words["due_date"], bt.long_date(document.due_date, document.language)),
        (words["amount_due"], bt.money(amount.amount)),
    )
    scan = make_scan_line(
        account_number=document.account_number, bill_number=document.number, amount_due=amount
    )
    remittance_stub(canvas, profile, words, document.mailing_lines, rows, scan)


def remittance_stub(
    canvas: BillCanvas,
    profile: CoOpProfile,
    words: dict[str, str],
    mailing_lines: tuple[str, ...],
    rows: tuple[tuple[str, str], ...],
    scan: str,
) -> None:
    """The bottom third, torn off and mailed back: where to send it, who pays, four
    labelled figures, a box for the amount enclosed, and the scan line."""
    canvas.setStrokeColorRGB(*GREY)
    canvas.setLineWidth(0.6)
    canvas.setDash(3, 2)
    canvas.line(MARGIN / 2, STUB_TOP, WIDTH - MARGIN / 2, STUB_TOP)
    canvas.setDash()
    _text(canvas, WIDTH / 2, STUB_TOP - 10, words["stub_return"],
          size=7, color=GREY, align="center")  # fmt: skip
    office = profile.offices[0]
    y = STUB_TOP - 30
    _text(canvas, MARGIN, y, profile.name, font=BOLD, size=9)
    for row in (part for part in (office.po_box or office.street, office.city) if part):
        y -= 11
        _text(canvas, MARGIN, y, row, size=8.5)
    y -= 16
    _text(
        canvas,
        MARGIN,
        y,
        words["payable_to"].format(name=profile.name.rstrip(".")),
        size=6.8,
        color=GREY,
    )
    _text(canvas, MARGIN, y - 9, words["write_account"], size=6.8, color=GREY)
    y -= 30
    for index, line in enumerate(mailing_lines):
        _text(canvas, MARGIN, y, line, font=BOLD if index == 0 else REGULAR, size=8)
        y -= 10
    box_x, box_top = SIDE_X - 40, STUB_TOP - 24
    canvas.setStrokeColorRGB(*INK)
    canvas.setLineWidth(0.6)
    canvas.rect(box_x, box_top - 84, RIGHT - box_x, 84, stroke=1, fill=0)
    y = box_top - 13
    for label, value in rows:
        _text(canvas, box_x + 8, y, label, size=7.5)
        _text(canvas, RIGHT - 8, y, value, font=BOLD, size=9, align="right")
        y -= 13
    _text(canvas, box_x + 8, y - 6, words["amount_enclosed"], font=BOLD, size=8)
    canvas.rect(RIGHT - 100, y - 12, 92, 18, stroke=1, fill=0)
    _text(canvas, RIGHT - 96, y - 6, "$", size=9)
    _text(canvas, RIGHT, MARGIN + 4, scan, font=MONO, size=11, align="right")


def _continuation_header(
    canvas: BillCanvas, document: BillDocument, profile: CoOpProfile, words: dict[str, str]
) -> None:
    summary = f"{words['account_number']} {document.account_number} · {words['bill_number']} {document.number}"
    continuation_header(canvas, profile, summary, document.name)


def continuation_header(canvas: BillCanvas, profile: CoOpProfile, summary: str, name: str) -> None:
    """Top of pages 2 and on: the co-op, which document (``summary``) and whose."""
    top = HEIGHT - MARGIN
    _text(canvas, MARGIN, top - 12, profile.name, font=BOLD, size=11, color=ACCENT)
    _text(canvas, MARGIN, top - 26, summary, size=8.5)
    _text(canvas, MARGIN, top - 38, name, size=8.5)


def _page_furniture(
    canvas: BillCanvas, document: BillDocument, words: dict[str, str], page: int, pages: int
) -> None:
    if pages > 1:
        label = words["page"].format(page=page, pages=pages)
        y = STUB_TOP + 4 if page == 1 else MARGIN
        _text(canvas, RIGHT, y, label, size=6.5, color=GREY, align="right")
    if document.reprinted_on is not None:
        label = words["reprint"].format(day=bt.short_date(document.reprinted_on, document.language))
        _text(canvas, WIDTH / 2, HEIGHT - 20, label, size=8, color=GREY, align="center")
    banner = {"HELD": words["held"], "CANCELLED": words["cancelled"]}.get(document.status)
    if banner:
        canvas.saveState()
        canvas.setFillColorRGB(0.8, 0.1, 0.1)
        canvas.setFont(BOLD, 26)
        canvas.translate(WIDTH / 2, HEIGHT / 2)
        canvas.rotate(30)
        canvas.drawCentredString(0, 0, banner)
        canvas.restoreState()
