"""The letter PDF writer: a file any reader opens, with the text and accents as drawn."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader

from coopcis.apps.billing.pdf.plain_pdf import PlainCanvas


def _letter(pages: int) -> bytes:
    canvas = PlainCanvas(width=612, height=792, title="Aviso \u2013 García", author="OCEC")
    for page in range(pages):
        canvas.setFillColorRGB(0.11, 0.3, 0.5)
        canvas.setFont("Helvetica-Bold", 13)
        canvas.drawString(54, 720, f"Página {page + 1}")
        canvas.setFillColorRGB(0, 0, 0)
        canvas.setFont("Helvetica", 9.5)
        canvas.drawString(54, 700, "Monto vencido $183.89 (a pagar) \\ señor Peña ¿sí?")
        canvas.showPage()
    return canvas.save()


def test_a_strict_reader_opens_it_and_reads_the_text_back():
    pdf = _letter(2)
    reader = PdfReader(io.BytesIO(pdf), strict=True)
    assert len(reader.pages) == 2
    assert reader.metadata.title == "Aviso \u2013 García" and reader.metadata.author == "OCEC"
    second = reader.pages[1].extract_text()
    assert "Página 2" in second
    assert "Monto vencido $183.89 (a pagar) \\ señor Peña ¿sí?" in second
    assert [float(v) for v in reader.pages[0].mediabox] == [0, 0, 612, 792]


def test_the_cross_reference_table_points_at_each_object():
    pdf = _letter(1)
    start = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", pdf).group(1))
    assert pdf[start:].startswith(b"xref\n0 8\n")
    offsets = [int(line[:10]) for line in pdf[start:].split(b"\n")[3:10]]
    for number, offset in enumerate(offsets, start=1):
        assert pdf[offset:].startswith(b"%d 0 obj\n" % number)


def test_a_character_outside_the_fonts_prints_as_a_question_mark():
    canvas = PlainCanvas(width=612, height=792)
    canvas.setFont("Helvetica", 10)
    canvas.drawString(54, 700, "Ω ok")
    text = PdfReader(io.BytesIO(canvas.save())).pages[0].extract_text()
    assert text.strip() == "? ok"
