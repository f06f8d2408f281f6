"""A one- or two-language letter on US Letter (notices, deposit receipts).

Drawn in the standard fonts, as the bills are (the Latin-1 accents Spanish needs are in
them), by :class:`~coopcis.apps.billing.pdf.plain_pdf.PlainCanvas` (a bad day's notices
are many); lines are wrapped with reportlab's font metrics. Dates and money are written
with the bill text helpers, so a notice reads like the member's bill.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reportlab.lib.pagesizes import LETTER
from reportlab.lib.utils import simpleSplit

from coopcis.apps.billing.pdf.plain_pdf import PlainCanvas, _literal
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


def form_letters_pdf(
    *,
    profile: CoOpProfile,
    section: Section,
    addresses: Iterable[Sequence[str]],
    title: str,
) -> bytes:
    """The same one-section letter to each of ``addresses`` in turn, in one PDF (a notice
    to every member, for the mail house): each letter's pages are, byte for byte, the ones
    :func:`letter_pdf` draws for that address. The letter is drawn once per number of
    address lines, with placeholders that each address's lines replace: wrapping the
    paragraphs is most of the work of drawing a letter (docs/domain/governance.md gives the
    times)."""
    canvas = PlainCanvas(width=WIDTH, height=HEIGHT, title=title, author=profile.name)
    stamp = _AddressStamp(profile, section)
    for address_lines in addresses:
        canvas.pages.extend(stamp.pages(tuple(address_lines)))
    return canvas.save()


class _AddressStamp:
    """One letter's pages drawn with placeholder address lines, per number of lines."""

    def __init__(self, profile: CoOpProfile, section: Section) -> None:
        self.profile, self.section = profile, section
        self.drawn: dict[int, list[bytes]] = {}

    @staticmethod
    def _placeholder(index: int) -> str:
        return f"@@ADDRESS-LINE-{index}@@"

    def pages(self, lines: tuple[str, ...]) -> list[bytes]:
        drawn = self.drawn.get(len(lines))
        if drawn is None:
            scratch = PlainCanvas(width=WIDTH, height=HEIGHT)
            placeholders = [self._placeholder(index) for index in range(len(lines))]
            _page(scratch, self.profile, placeholders, self.section)
            scratch.showPage()
            drawn = self.drawn[len(lines)] = scratch.pages
        first = drawn[0]
        for index, line in enumerate(lines):
            first = first.replace(_literal(self._placeholder(index)), _literal(line), 1)
        return [first, *drawn[1:]]


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
