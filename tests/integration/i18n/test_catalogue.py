"""The Spanish catalogue is complete and its compiled form is the one committed.

A string marked for translation that has no Spanish, or a fuzzy one (a guess gettext
made when the English changed), fails here: run ``python3 scripts/messages.py``,
translate, and commit the ``.po`` with the ``.mo`` it compiles to.
"""

from __future__ import annotations

from pathlib import Path

import polib
from django.conf import settings

CATALOGUE = Path(settings.LOCALE_PATHS[0]) / "es" / "LC_MESSAGES" / "django.po"


def entries(catalogue: polib._BaseFile) -> dict[tuple[str | None, str], object]:
    found: dict[tuple[str | None, str], object] = {}
    for entry in catalogue:
        if entry.obsolete or "fuzzy" in entry.flags:
            continue
        key = (entry.msgctxt, entry.msgid)
        found[key] = dict(entry.msgstr_plural) if entry.msgid_plural else entry.msgstr
    return found


def test_every_string_has_its_spanish_and_none_is_fuzzy():
    catalogue = polib.pofile(str(CATALOGUE))

    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]

    assert untranslated == [] and fuzzy == []
    assert not catalogue.metadata_is_fuzzy
    assert len(catalogue) > 50


def test_the_committed_mo_is_the_po_compiled():
    po = polib.pofile(str(CATALOGUE))
    mo = polib.mofile(str(CATALOGUE.with_suffix(".mo")))

    assert entries(mo) == entries(po), "django.mo is stale: python3 scripts/messages.py"


def test_placeholders_survive_translation():
    for entry in polib.pofile(str(CATALOGUE)):
        for placeholder in ("%(", "{"):
            english = set(_placeholders(entry.msgid, placeholder))
            if not entry.msgid_plural:
                assert set(_placeholders(entry.msgstr, placeholder)) == english, entry.msgid
                continue
            # a plural form may name the count the English singular leaves out ("1 mes")
            either = english | set(_placeholders(entry.msgid_plural, placeholder))
            for spanish in entry.msgstr_plural.values():
                found = set(_placeholders(spanish, placeholder))
                assert english <= found <= either, entry.msgid


def _placeholders(text: str, opening: str) -> list[str]:
    closing = ")" if opening == "%(" else "}"
    found, start = [], text.find(opening)
    while start != -1:
        end = text.find(closing, start)
        found.append(text[start : end + 1])
        start = text.find(opening, end)
    return found
