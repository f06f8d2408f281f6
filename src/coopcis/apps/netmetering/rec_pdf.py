"""A member's yearly REC statement as a PDF (reportlab, as the loan schedule is drawn)."""

from __future__ import annotations

import io
from decimal import Decimal

from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen.canvas import Canvas

from coopcis.apps.members.models import Account
from coopcis.apps.netmetering.models import RecPayment
from coopcis.catalog.profiles import active_profile

WIDTH, HEIGHT = LETTER
MARGIN = 54.0
ROW = 13.0
COLUMNS = (("Paid on", 130.0), ("From kWh", 230.0), ("To kWh", 320.0), ("kWh", 390.0),
           ("$/kWh", 470.0), ("Amount", 558.0))  # fmt: skip


def _header(canvas: Canvas, account: Account, year: int, page: int) -> float:
    y = HEIGHT - MARGIN
    canvas.setFont("Helvetica-Bold", 13)
    canvas.drawString(MARGIN, y, active_profile().name)
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(MARGIN, y - 20, f"Renewable energy credit statement {year}")
    canvas.setFont("Helvetica", 9)
    canvas.drawString(
        MARGIN, y - 36, f"Account {account.number}  {account.party.display_name}   Page {page}"
    )
    y -= 64
    canvas.setFont("Helvetica-Bold", 9)
    for title, right in COLUMNS:
        canvas.drawRightString(right, y, title)
    canvas.setFont("Helvetica", 9)
    return y - ROW


def rec_statement_pdf(*, account: Account, year: int) -> bytes:
    """Each REC payment of ``year`` with its reads, kWh, rate and amount, and the year's
    total (the same figures as ``recs.rec_statement``: nothing is rounded here)."""
    payments = RecPayment.objects.filter(agreement__account=account, paid_on__year=year).order_by(
        "paid_on", "id"
    )
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=LETTER, pageCompression=1)
    canvas.setTitle(f"REC statement {year} {account.number}")
    page = 1
    y = _header(canvas, account, year, page)
    total = Decimal("0.00")
    for payment in payments:
        if y < MARGIN + 2 * ROW:
            canvas.showPage()
            page += 1
            y = _header(canvas, account, year, page)
        values = (
            str(payment.paid_on),
            f"{payment.from_kwh:,}",
            f"{payment.to_kwh:,}",
            f"{payment.to_kwh - payment.from_kwh:,}",
            str(payment.rate_per_kwh),
            f"${payment.amount:,}",
        )
        for (_, right), text in zip(COLUMNS, values, strict=True):
            canvas.drawRightString(right, y, text)
        total += payment.amount
        y -= ROW
    canvas.setFont("Helvetica-Bold", 9)
    canvas.drawString(
        MARGIN,
        y - 6,
        f"Paid in {year}: ${total:,.2f} (SEC policy 425: REC payments in May and September)",
    )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
