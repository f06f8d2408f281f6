"""Search text folding (core/search.py): accents, case, punctuation, street suffixes."""

from coopcis.core.search import (
    address_search_text,
    digits_only,
    fold,
    name_search_text,
    query_words,
)


def test_accents_case_and_punctuation_fold_away():
    assert fold("Ramón Ibáñez-Peña") == "RAMON IBANEZ PENA"
    assert name_search_text("Baca, María") == " BACA MARIA "
    assert query_words("  ramon, IBANEZ ") == ["RAMON", "IBANEZ"]


def test_an_address_carries_both_spellings_of_its_suffixes_and_directions():
    text = address_search_text("12 N Tularosa Rd, Cloudcroft, NM 88317")
    assert text == " 12 N TULAROSA RD CLOUDCROFT NM 88317 NORTH ROAD "
    assert " ROAD" in text and " RD" in text and " NORTH" in text
    spelled_out = address_search_text("40 Sunspot Highway")
    assert " HWY" in spelled_out and " HIGHWAY" in spelled_out
    assert address_search_text("7 Loop") == " 7 LOOP "  # no second spelling to add


def test_phone_digits():
    assert digits_only("(575) 682-4411") == "5756824411"
