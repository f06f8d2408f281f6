"""A loan's amortization schedule as a PDF (reportlab, as the bills are drawn)."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen.canvas import Canvas

from coopcis.apps.loans.models import Loan
from coopcis.catalog.profiles import active_profile

WIDTH, HEIGHT = LETTER
MARGIN = 54.0
ROW = 13.0
COLUMNS = (("No.", 70.0), ("Payment", 190.0), ("Interest", 290.0), ("Principal", 390.0),
           ("Balance after", 510.0))  # fmt: skip


def _header(canvas: Canvas, loan: Loan, page: int) -> float:
    y = HEIGHT - MARGIN
    canvas.setFont("Helvetica-Bold", 13)
    canvas.drawString(MARGIN, y, active_profile().name)
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(MARGIN, y - 20, f"Aid-to-construction loan {loan.pk}: amortization schedule")
    canvas.setFont("Helvetica", 9)
    facts = (
        f"Account {loan.account.number}  {loan.account.party.display_name}",
        f"Amount ${loan.amount:,} at {loan.annual_rate * 100:.2f}% a year over {loan.months} "
        f"months: {loan.months - 1} payments of ${loan.payment_amount:,}, final "
        f"${loan.final_payment_amount:,}",
        f"For: {loan.purpose}   Disbursed: {loan.disbursed_on or 'not yet'}   Page {page}",
    )
    for index, text in enumerate(facts):
        canvas.drawString(MARGIN, y - 36 - index * 12, text)
    y -= 90
    canvas.setFont("Helvetica-Bold", 9)
    for title, right in COLUMNS:
        canvas.drawRightString(right, y, title)
    canvas.setFont("Helvetica", 9)
    return y - ROW


def schedule_pdf(loan: Loan) -> bytes:
    """Every installment with its interest, principal and the balance after it; those
    billed show the billing month, those lapsing after an early payoff are marked."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=LETTER, pageCompression=1)
    canvas.setTitle(f"Loan {loan.pk} schedule")
    page = 1
    y = _header(canvas, loan, page)
    for row in loan.installments.order_by("number"):
        if y < MARGIN:
            canvas.showPage()
            page += 1
            y = _header(canvas, loan, page)
        values = (
            str(row.number),
            f"${row.payment_amount:,}",
            f"${row.interest_amount:,}",
            f"${row.principal_amount:,}",
            f"${row.balance_after_amount:,}",
        )
        for (_, right), text in zip(COLUMNS, values, strict=True):
            canvas.drawRightString(right, y, text)
        note = (
            f"billed {row.period}" if row.period else ("lapsed: paid off" if row.cancelled else "")
        )
        canvas.drawString(520, y, note)
        y -= ROW
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
