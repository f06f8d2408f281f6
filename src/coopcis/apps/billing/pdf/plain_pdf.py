"""A small PDF writer for letters: text lines in the standard Helvetica fonts, nothing else.

The collections job writes one letter per notice, and on a bad day that is every member;
reportlab's general document machinery took about two thirds of a notice's time. A
letter needs only text in two of the 14 standard fonts (no embedding, WinAnsi encoding,
as reportlab writes them), so this writes the file directly: a catalog, the page tree, the
two fonts, one compressed content stream per page and the cross-reference table. It offers
the four canvas calls the letter layout uses, with reportlab's names and meaning.
"""

from __future__ import annotations

import zlib

FONTS = {"Helvetica": b"/F1", "Helvetica-Bold": b"/F2"}


def _number(value: float) -> bytes:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return (text or "0").encode()


def _literal(text: str) -> bytes:
    """A PDF string in WinAnsi (cp1252), as the standard fonts are encoded; a character
    outside it prints as ``?``."""
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _text_string(text: str) -> bytes:
    """A PDF text string (document information) in UTF-16 with its byte order mark."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode() + b">"


class PlainCanvas:
    """``setFillColorRGB``, ``setFont``, ``drawString``, ``showPage``, then ``save``."""

    def __init__(self, *, width: float, height: float, title: str = "", author: str = "") -> None:
        self.width, self.height = width, height
        self.title, self.author = title, author
        self.pages: list[bytes] = []
        self._ops: list[bytes] = []
        self._font = b"/F1 12 Tf"

    def setFillColorRGB(self, red: float, green: float, blue: float) -> None:
        self._ops.append(b" ".join((_number(red), _number(green), _number(blue), b"rg")))

    def setFont(self, name: str, size: float) -> None:
        self._font = FONTS[name] + b" " + _number(size) + b" Tf"

    def drawString(self, x: float, y: float, text: str) -> None:
        self._ops.append(
            b"BT "
            + self._font
            + b" "
            + _number(x)
            + b" "
            + _number(y)
            + b" Td "
            + _literal(text)
            + b" Tj ET"
        )

    def showPage(self) -> None:
        self.pages.append(b"\n".join(self._ops))
        self._ops = []

    def save(self) -> bytes:
        """The whole file (a page still being drawn is ended first)."""
        if self._ops or not self.pages:
            self.showPage()
        count = len(self.pages)
        page_ids = [6 + 2 * index for index in range(count)]
        box = b"[0 0 " + _number(self.width) + b" " + _number(self.height) + b"]"
        objects: list[bytes] = [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids ["
            + b" ".join(b"%d 0 R" % page for page in page_ids)
            + b"] /Count %d >>" % count,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold "
            b"/Encoding /WinAnsiEncoding >>",
            b"<< /Title "
            + _text_string(self.title)
            + b" /Author "
            + _text_string(self.author)
            + b" /Producer (coopcis) >>",
        ]
        for page_id, content in zip(page_ids, self.pages, strict=True):
            objects.append(
                b"<< /Type /Page /Parent 2 0 R /MediaBox "
                + box
                + b" /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>"
                % (page_id + 1)
            )
            packed = zlib.compress(content)
            objects.append(
                b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed)
                + packed
                + b"\nendstream"
            )
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(objects, start=1):
            offsets.append(len(out))
            out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
        out += b"trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\n" % (len(objects) + 1)
        out += b"startxref\n%d\n%%%%EOF\n" % xref
        return bytes(out)
