"""Draw an account summary statement on US Letter, with the bill's header, address and stub.

Page 1, top to bottom: the co-op and the statement's key figures (account, reference,
statement date, earliest due date, amount due); the mailing address where a #10 window
envelope shows it, and beside it what the statement is; one row per location bill
(service address, service point and meter, service period, kWh, bill number, due date,
amount); the total of the bills, the rest of the balance and the amount due; and the
remittance stub with the statement's scan line. Rows that do not fit on page 1 continue on
further pages, the totals after the last row; the stub stays on page 1.

The drawing helpers are the bill's (:mod:`.render`), so the two documents look alike.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from coopcis.apps.billing import bill_text as bt
from coopcis.apps.billing.pdf.render import (
    ACCENT,
    BODY_BOTTOM,
    BODY_TOP,
    BOLD,
    CONTINUATION_TOP,
    GREY,
    HEIGHT,
    INK,
    MARGIN,
    REGULAR,
    RIGHT,
    SIDE_X,
    STUB_TOP,
    BillCanvas,
    continuation_header,
    coop_header,
    draw_text,
    key_figures,
    kwh_text,
    mailing_block,
    open_canvas,
    remittance_stub,
    wrap_text,
)
from coopcis.apps.billing.pdf.summary import LocationBill, SummaryStatement
from coopcis.catalog.profiles import CoOpProfile

ADDRESS_FONT, DETAIL_FONT, HEADING_FONT = 7.8, 6.6, 6.8
LOCATION_WIDTH = 196.0
PERIOD_X, KWH_X, NUMBER_X, DUE_X = MARGIN + 206, MARGIN + 326, MARGIN + 336, MARGIN + 412
NOTE_X = SIDE_X - 40
TOTALS_HEIGHT = 50.0
TABLE_HEAD = 26.0  # the section title and the column headings above the first row


@dataclass(frozen=True, slots=True)
class RenderedStatement:
    """A summary statement's PDF and how many pages it has."""

    reference: str
    pdf: bytes
    pages: int


@dataclass(frozen=True, slots=True)
class _Row:
    """A location bill laid out: its wrapped service address, and its height."""

    bill: LocationBill
    address: tuple[str, ...]

    @property
    def height(self) -> float:
        return len(self.address) * 9.2 + 8.0 + 5.0


def _rows(statement: SummaryStatement) -> list[_Row]:
    return [
        _Row(bill, wrap_text(bill.service_address, REGULAR, ADDRESS_FONT, LOCATION_WIDTH)[:2])
        for bill in statement.bills
    ]


def _split_pages(rows: list[_Row], first_room: float) -> list[list[_Row]]:
    """Rows per page: as many as fit on page 1, the rest on continuation pages; the totals
    follow the last row, on a page of their own if they do not fit under it."""
    later_room = CONTINUATION_TOP - TABLE_HEAD - MARGIN - 12
    pages: list[list[_Row]] = [[]]
    room = first_room
    for row in rows:
        if row.height > room and pages[-1]:
            pages.append([])
            room = later_room
        pages[-1].append(row)
        room -= row.height
    if room < TOTALS_HEIGHT:
        pages.append([])
    return pages


def render_summary_statement(
    statement: SummaryStatement, profile: CoOpProfile
) -> RenderedStatement:
    """The statement as PDF bytes, in the account's language."""
    words = bt.text(statement.language)
    buffer = io.BytesIO()
    title = f"{profile.short_name} {words['summary_title']} {statement.reference}"
    canvas = open_canvas(buffer, profile, title)
    scan = statement.scan_line  # a ScanLineError here stops before anything is drawn

    coop_header(canvas, profile, words, words["summary_title"])
    key_figures(canvas, _key_rows(statement, words), words["amount_due"],
                statement.amount_due_amount)  # fmt: skip
    mailing_block(canvas, statement.mailing_lines)
    table_top = min(BODY_TOP + 40, _notes(canvas, statement, words) - 14)
    pages = _split_pages(_rows(statement), table_top - TABLE_HEAD - BODY_BOTTOM)
    for number, page in enumerate(pages, start=1):
        if number > 1:
            canvas.showPage()
            summary = (
                f"{words['account_number']} {statement.account_number} · {statement.reference}"
            )
            continuation_header(canvas, profile, summary, statement.name)
        top = table_top if number == 1 else CONTINUATION_TOP
        y = _table(canvas, statement, words, page, top, continued=number > 1)
        if number == len(pages):
            _totals(canvas, statement, words, y - 4)
        if number == 1:
            _stub(canvas, statement, profile, words, scan)
        if len(pages) > 1:
            label = words["page"].format(page=number, pages=len(pages))
            draw_text(canvas, RIGHT, STUB_TOP + 4 if number == 1 else MARGIN, label, size=6.5,
                      color=GREY, align="right")  # fmt: skip
    canvas.showPage()
    canvas.save()
    return RenderedStatement(statement.reference, buffer.getvalue(), len(pages))


def _key_rows(statement: SummaryStatement, words: dict[str, str]) -> tuple[tuple[str, str], ...]:
    language = statement.language
    return (
        (words["account_number"], statement.account_number),
        (words["statement_reference"], statement.reference),
        (words["statement_date"], bt.long_date(statement.statement_date, language)),
        (words["due_date"], bt.long_date(statement.due_date, language)),
    )


def _notes(canvas: BillCanvas, statement: SummaryStatement, words: dict[str, str]) -> float:
    """Beside the mailing address (where a bill shows the service address): what the
    statement is, and the notices a bill would give. Returns the y below them."""
    notices = [words["summary_note"]]
    if statement.autopay:
        notices.append(words["autopay"])
    if statement.amount_due_amount <= 0:
        notices.append(words["credit_balance"])
    y = HEIGHT - 126
    for index, notice in enumerate(notices):
        font = REGULAR if index == 0 else BOLD
        for row in wrap_text(notice, font, 7.2, RIGHT - NOTE_X):
            draw_text(canvas, NOTE_X, y, row, font=font, size=7.2)
            y -= 8.8
        y -= 3
    return y


def _table(
    canvas: BillCanvas,
    statement: SummaryStatement,
    words: dict[str, str],
    rows: list[_Row],
    top: float,
    *,
    continued: bool,
) -> float:
    title = words["location_bills"] + (f" ({words['continued']})" if continued else "")
    draw_text(canvas, MARGIN, top, title, font=BOLD, size=9, color=ACCENT)
    canvas.setStrokeColorRGB(*ACCENT)
    canvas.setLineWidth(0.5)
    canvas.line(MARGIN, top - 3, RIGHT, top - 3)
    y = top - 13
    headings = (
        (MARGIN, "location", "left"), (PERIOD_X, "service_period", "left"),
        (KWH_X, "energy_used", "right"), (NUMBER_X, "bill_number", "left"),
        (DUE_X, "due_date", "left"), (RIGHT, "amount", "right"),
    )  # fmt: skip
    for x, key, align in headings:
        draw_text(canvas, x, y, words[key], size=HEADING_FONT, color=GREY, align=align)
    y = top - TABLE_HEAD
    language = statement.language
    for row in rows:
        bill = row.bill
        period = bt.date_range(bill.period_start, bill.period_end, language)
        draw_text(canvas, PERIOD_X, y, period, size=ADDRESS_FONT)
        draw_text(canvas, KWH_X, y, kwh_text(bill.energy_wh), size=ADDRESS_FONT, align="right")
        draw_text(canvas, NUMBER_X, y, bill.number, size=ADDRESS_FONT)
        draw_text(canvas, DUE_X, y, bt.short_date(bill.due_date, language), size=ADDRESS_FONT)
        draw_text(canvas, RIGHT, y, bt.money(bill.total_amount), font=BOLD, size=ADDRESS_FONT,
                  align="right")  # fmt: skip
        for line in row.address:
            draw_text(canvas, MARGIN, y, line, size=ADDRESS_FONT)
            y -= 9.2
        meter = f" · {words['meter']} {bill.meter_serial}" if bill.meter_serial else ""
        detail = f"{words['service_point']} {bill.service_point_code}{meter}"
        draw_text(canvas, MARGIN, y + 1, detail, size=DETAIL_FONT, color=GREY)
        y -= 13.0
    return y + 5.0


def _totals(
    canvas: BillCanvas, statement: SummaryStatement, words: dict[str, str], top: float
) -> None:
    label_x = MARGIN + 230
    canvas.setStrokeColorRGB(*INK)
    canvas.setLineWidth(0.5)
    canvas.line(label_x, top, RIGHT, top)
    as_of = bt.long_date(statement.statement_date, statement.language)
    rows = (
        (words["statement_total"], statement.total_amount, BOLD, 8.0),
        (words["other_activity"], statement.other_activity_amount, REGULAR, 8.0),
        (words["amount_due_as_of"].format(date=as_of), statement.amount_due_amount, BOLD, 9.0),
    )
    y = top - 11
    for label, amount, font, size in rows:
        draw_text(canvas, label_x, y, label, font=font, size=size)
        draw_text(canvas, RIGHT, y, bt.money(amount), font=font, size=size, align="right")
        y -= 13


def _stub(
    canvas: BillCanvas,
    statement: SummaryStatement,
    profile: CoOpProfile,
    words: dict[str, str],
    scan: str,
) -> None:
    rows = (
        (words["account_number"], statement.account_number),
        (words["statement_reference"], statement.reference),
        (words["due_date"], bt.long_date(statement.due_date, statement.language)),
        (words["amount_due"], bt.money(statement.amount_asked.amount)),
    )
    remittance_stub(canvas, profile, words, statement.mailing_lines, rows, scan)
