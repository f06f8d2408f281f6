"""CSV files that staff open in a spreadsheet: a text cell that begins like a formula is
written as text.

A member's name typed as ``=HYPERLINK("http://example.com","Pay here")`` would run as a
formula in Excel or LibreOffice Calc when staff open an export of names (CSV injection,
OWASP). A text cell whose first character is ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is therefore written with an apostrophe before it, which spreadsheets
show as text and do not evaluate. Numbers, whether given as numbers or as their text
(``-10.00``), are left as they are, so amounts stay amounts.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def cell(value: Any) -> Any:
    """``value`` as a spreadsheet will read it as written: text that could start a formula
    gets a leading apostrophe; anything else is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeWriter:
    """:func:`csv.writer` whose every cell goes through :func:`cell`."""

    def __init__(self, handle: Any, **options: Any) -> None:
        self._writer = csv.writer(handle, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(handle: Any, **options: Any) -> SafeWriter:
    return SafeWriter(handle, **options)
