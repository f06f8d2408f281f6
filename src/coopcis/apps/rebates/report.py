"""The yearly report of the efficiency program a co-op files with the NM PRC: the claims,
the rebates by measure, and how much of the year's budget they used (CSV or PDF)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen.canvas import Canvas

from coopcis.apps.rebates.models import ClaimStatus, RebateBudget, RebateClaim
from coopcis.catalog.profiles import active_profile
from coopcis.core.money import CENT

PAID_OR_APPROVED = (ClaimStatus.APPROVED, ClaimStatus.PAID)


@dataclass(frozen=True, slots=True)
class MeasureRow:
    measure: str
    description: str
    claims: int
    approved: int
    denied: int
    pending: int
    rebates: Decimal
    paid: Decimal


@dataclass(frozen=True, slots=True)
class YearReport:
    year: int
    budget: Decimal
    used: Decimal
    rows: tuple[MeasureRow, ...]

    @property
    def left(self) -> Decimal:
        return self.budget - self.used

    def as_json(self) -> dict[str, object]:
        return {
            "year": self.year,
            "budget": str(self.budget),
            "used": str(self.used),
            "left": str(self.left),
            "measures": [
                {
                    "measure": row.measure,
                    "claims": row.claims,
                    "approved": row.approved,
                    "denied": row.denied,
                    "pending": row.pending,
                    "rebates": str(row.rebates),
                    "paid": str(row.paid),
                }
                for row in self.rows
            ],
        }


def year_report(year: int) -> YearReport:
    """Claims filed in ``year`` by measure; the budget used is what approved and paid
    claims hold (one query for the rows, one for the budget)."""
    zero = Decimal("0.00")
    grouped = (
        RebateClaim.objects.filter(program_year=year)
        .values("measure_code", "measure_description")
        .annotate(
            claims=Count("id"),
            approved=Count("id", filter=Q(status__in=PAID_OR_APPROVED)),
            denied=Count("id", filter=Q(status=ClaimStatus.DENIED)),
            rebates=Sum("rebate_amount", filter=Q(status__in=PAID_OR_APPROVED)),
            paid=Sum("rebate_amount", filter=Q(status=ClaimStatus.PAID)),
        )
        .order_by("measure_code")
    )
    rows = tuple(
        MeasureRow(
            measure=row["measure_code"],
            description=row["measure_description"],
            claims=row["claims"],
            approved=row["approved"],
            denied=row["denied"],
            pending=row["claims"] - row["approved"] - row["denied"],
            rebates=(row["rebates"] or zero).quantize(CENT),
            paid=(row["paid"] or zero).quantize(CENT),
        )
        for row in grouped
    )
    budget = RebateBudget.objects.filter(year=year).first()
    return YearReport(
        year=year,
        budget=budget.budget_amount if budget else zero,
        used=sum((row.rebates for row in rows), zero),
        rows=rows,
    )


HEADER = ("measure", "description", "claims", "approved", "denied", "pending", "rebates", "paid")


def report_csv(report: YearReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for row in report.rows:
        writer.writerow(
            (
                row.measure,
                row.description,
                row.claims,
                row.approved,
                row.denied,
                row.pending,
                f"{row.rebates:.2f}",
                f"{row.paid:.2f}",
            )
        )
    writer.writerow(("TOTAL", f"budget {report.budget:.2f}", "", "", "", "",
                     f"{report.used:.2f}", f"left {report.left:.2f}"))  # fmt: skip
    return out.getvalue()


def report_pdf(report: YearReport) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=LETTER, pageCompression=1)
    canvas.setTitle(f"Energy efficiency program {report.year}")
    _width, height = LETTER
    y = height - 54
    canvas.setFont("Helvetica-Bold", 13)
    canvas.drawString(54, y, active_profile().name)
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(
        54, y - 20, f"Energy efficiency rebate program, {report.year}: report to the NM PRC"
    )
    canvas.setFont("Helvetica", 9)
    canvas.drawString(
        54, y - 36,
        f"Budget ${report.budget:,}; rebates approved ${report.used:,}; left ${report.left:,}",
    )  # fmt: skip
    y -= 64
    columns = (("Measure", 54, False), ("Claims", 300, True), ("Approved", 350, True),
               ("Denied", 395, True), ("Pending", 440, True), ("Rebates", 500, True),
               ("Paid", 558, True))  # fmt: skip
    canvas.setFont("Helvetica-Bold", 9)
    for title, x, right in columns:
        (canvas.drawRightString if right else canvas.drawString)(x, y, title)
    canvas.setFont("Helvetica", 9)
    for row in report.rows:
        y -= 13
        if y < 54:
            canvas.showPage()
            canvas.setFont("Helvetica", 9)
            y = height - 54
        values = (row.measure, str(row.claims), str(row.approved), str(row.denied),
                  str(row.pending), f"${row.rebates:,}", f"${row.paid:,}")  # fmt: skip
        for (_, x, right), text in zip(columns, values, strict=True):
            (canvas.drawRightString if right else canvas.drawString)(x, y, text)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
