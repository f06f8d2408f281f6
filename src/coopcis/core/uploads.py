"""Files members send (a rebate's receipt, a medical certificate): what they may be.

A file is known by its content, never by its name or the type the browser claims: its
first bytes must be a PDF's, a JPEG's or a PNG's signature, and it may be at most 5 MB.
The name it is kept and downloaded under is reduced to plain characters.
"""

from __future__ import annotations

import re

LARGEST_FILE = 5 * 1024 * 1024
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)
#: The file name ending that goes with each type, for downloads.
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def sniffed_type(data: bytes) -> str | None:
    """The content type the file's first bytes show, or None for anything else."""
    for signature, content_type in SIGNATURES:
        if data.startswith(signature):
            return content_type
    return None


def safe_filename(name: str) -> str:
    """A name to show and download under: the last path part, plain characters only."""
    base = re.split(r"[\\/]", name)[-1]
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._") or "file"
    return cleaned[:100]
