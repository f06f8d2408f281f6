"""Phone numbers staff type: checked with Google's libphonenumber (``phonenumbers``).

A number is read as a US number unless it starts with ``+`` and a country code; it must be
a number that can exist (the right length, an area code and exchange in use: ``575-000-
0000`` and ``682-4411`` without an area code are refused). What staff typed is kept as
typed: the search compares digits only (``core/search.py``).
"""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "US"


def phone_problem(text: str, *, region: str = DEFAULT_REGION) -> str | None:
    """Why ``text`` is not a phone number one can dial, or None when it is (or is empty)."""
    if not text.strip():
        return None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return f"{text.strip()!r} is not a phone number"
    if not phonenumbers.is_valid_number(number):
        return (
            f"{text.strip()!r} is not a valid phone number: give the area code and number, "
            "e.g. (575) 682-4411, or + and the country code"
        )
    return None


def e164(text: str, *, region: str = DEFAULT_REGION) -> str:
    """The number in the form SMS providers take (``+15756824411``); ``ValueError`` saying
    why when it is not a number one can dial."""
    problem = phone_problem(text, region=region) or (None if text.strip() else "no number")
    if problem:
        raise ValueError(problem)
    return phonenumbers.format_number(
        phonenumbers.parse(text, region), phonenumbers.PhoneNumberFormat.E164
    )
