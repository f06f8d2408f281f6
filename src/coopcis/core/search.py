"""Search text: what a name or an address is matched on, the same way in every database.

Staff type as they would say it: ``Ramon`` for ``Ramón``, ``Road`` for ``Rd``, the first
digits of an account number. Rather than rely on a database's collation or extensions
(SQLite has no ``unaccent``), names and addresses are *folded* in Python when saved, into
a column every database compares byte for byte:

- accents and case dropped (``Ramón`` -> ``RAMON``), punctuation a space;
- an address also carries the other spelling of each USPS street suffix and direction
  (``RD`` and ``ROAD``, ``HWY`` and ``HIGHWAY``; USPS Publication 28, appendix C), so
  either spelling, or the start of either, finds it;
- the text is padded with spaces: ``" RAM"`` is found inside it exactly where a word
  starts with ``RAM``, which is how a query word is matched (a word prefix).
"""

from __future__ import annotations

import re
import unicodedata

#: USPS standard suffix abbreviations (Publication 28, appendix C1) and directionals (B),
#: as those seen in the co-op's service area spell them.
STREET_ABBREVIATIONS = {
    "ALLEY": "ALY",
    "AVENUE": "AVE",
    "BOULEVARD": "BLVD",
    "CANYON": "CYN",
    "CIRCLE": "CIR",
    "COURT": "CT",
    "COVE": "CV",
    "CREEK": "CRK",
    "DRIVE": "DR",
    "ESTATES": "EST",
    "HIGHWAY": "HWY",
    "HILL": "HL",
    "LANE": "LN",
    "LOOP": "LOOP",
    "MESA": "MESA",
    "MOUNTAIN": "MTN",
    "PARKWAY": "PKWY",
    "PLACE": "PL",
    "POINT": "PT",
    "RANCH": "RNCH",
    "ROAD": "RD",
    "ROUTE": "RTE",
    "SPRINGS": "SPGS",
    "SQUARE": "SQ",
    "STREET": "ST",
    "TERRACE": "TER",
    "TRAIL": "TRL",
    "VALLEY": "VLY",
    "VIEW": "VW",
    "NORTH": "N",
    "SOUTH": "S",
    "EAST": "E",
    "WEST": "W",
    "NORTHEAST": "NE",
    "NORTHWEST": "NW",
    "SOUTHEAST": "SE",
    "SOUTHWEST": "SW",
}
_OTHER_SPELLING = STREET_ABBREVIATIONS | {
    short: long for long, short in STREET_ABBREVIATIONS.items() if short != long
}
_NOT_WORD = re.compile(r"[^0-9A-Z]+")
_NOT_DIGIT = re.compile(r"\D+")


def fold(text: str) -> str:
    """Upper case, without accents, punctuation as single spaces: ``Ramón-Ruiz`` ->
    ``RAMON RUIZ``."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NOT_WORD.sub(" ", bare.upper()).strip()


def name_search_text(name: str) -> str:
    """A name's search text: its folded words, padded (``" BACA MARIA "``)."""
    return f" {fold(name)} "


def address_search_text(address: str) -> str:
    """An address's search text: its folded words and, after them, the other spelling of
    each street suffix or direction in it (``" 12 MESA RD ROAD "``)."""
    words = fold(address).split()
    others = [_OTHER_SPELLING[word] for word in words if _OTHER_SPELLING.get(word, word) != word]
    return f" {' '.join(words + others)} "


def query_words(query: str) -> list[str]:
    """The folded words of what staff typed; each must start a word of what it finds."""
    return fold(query).split()


def digits_only(text: str) -> str:
    """A phone number's digits: ``(575) 682-4411`` -> ``5756824411``."""
    return _NOT_DIGIT.sub("", text)
