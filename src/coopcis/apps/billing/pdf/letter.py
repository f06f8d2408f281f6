"""A one- or two-language letter on US Letter (notices, deposit receipts).

Drawn in the standard fonts, as the bills are (the Latin-1 accents Spanish needs are in
them), by :class:`~coopcis.apps.billing.pdf.plain_pdf.PlainCanvas` (a bad day's notices
are many); lines are wrapped with reportlab's font metrics. Dates and money are written
with the bill text helpers, so a notice reads like the member's bill.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.pagesizes import LETTER
from reportlab.lib.utils import simpleSplit

from coopcis.apps.billing.pdf.plain_pdf import PlainCanvas
from coopcis.catalog.profiles import CoOpProfile

WIDTH, HEIGHT = LETTER
MARGIN = 54.0
REGULAR, BOLD = "Helvetica", "Helvetica-Bold"
ACCENT = (0.11, 0.30, 0.50)


@dataclass(frozen=True, slots=True)
class Section:
    """One language's text: a title, label/value facts, and paragraphs."""

    title: str
    facts: tuple[tuple[str, str], ...]
    paragraphs: tuple[str, ...]


def letter_pdf(
    *, profile: CoOpProfile, address_lines: Sequence[str], sections: Sequence[Section], title: str
) -> bytes:
    """Each section on its own page, under the co-op's letterhead and the address."""
    canvas = PlainCanvas(width=WIDTH, height=HEIGHT, title=title, author=profile.name)
    for section in sections:
        _page(canvas, profile, address_lines, section)
        canvas.showPage()
    return canvas.save()


def _page(
    canvas: PlainCanvas, profile: CoOpProfile, address_lines: Sequence[str], section: Section
) -> None:
    y = HEIGHT - MARGIN
    canvas.setFillColorRGB(*ACCENT)
    canvas.setFont(BOLD, 13)
    canvas.drawString(MARGIN, y - 12, profile.name)
    canvas.setFillColorRGB(0, 0, 0)
    canvas.setFont(REGULAR, 8)
    office = profile.offices[0] if profile.offices else None
    if office is not None:
        canvas.drawString(MARGIN, y - 26, f"{office.address}  {office.phone}".strip())
    y -= 70
    canvas.setFont(REGULAR, 10)
    for line in address_lines:
        canvas.drawString(MARGIN, y, line)
        y -= 13
    y -= 20
    canvas.setFont(BOLD, 12)
    canvas.drawString(MARGIN, y, section.title)
    y -= 22
    for label, value in section.facts:
        canvas.setFont(REGULAR, 10)
        canvas.drawString(MARGIN, y, label)
        canvas.setFont(BOLD, 10)
        canvas.drawString(MARGIN + 190, y, value)
        y -= 14
    y -= 10
    canvas.setFont(REGULAR, 9.5)
    for paragraph in section.paragraphs:
        for row in simpleSplit(paragraph, REGULAR, 9.5, WIDTH - 2 * MARGIN):
            if y < MARGIN:
                canvas.showPage()
                canvas.setFont(REGULAR, 9.5)
                y = HEIGHT - MARGIN
            canvas.drawString(MARGIN, y, row)
            y -= 12
        y -= 6
