"""Argument types the governance commands share."""

from __future__ import annotations

import argparse

from coopcis.catalog.profiles import active_profile


def numbers(text: str) -> list[str]:
    """``N,N,...``: membership numbers, in the order written (duplicates kept: a petition
    shows a membership signing twice, and the second signature is struck)."""
    found = [part.strip() for part in text.split(",") if part.strip()]
    if not found:
        raise argparse.ArgumentTypeError("name at least one membership number")
    return found


def seats(text: str) -> dict[str, int]:
    """``D=N,...``: seats up by district, e.g. ``NW=1,SE=2``."""
    found: dict[str, int] = {}
    codes = active_profile().district_codes
    for part in text.split(","):
        district, _, count = part.strip().partition("=")
        district = district.strip().upper()
        if district not in codes or not count.strip().isdigit():
            raise argparse.ArgumentTypeError(
                f"write seats as D=N with D one of {', '.join(codes)}: {part!r}"
            )
        found[district] = int(count)
    return found


def district(text: str) -> str:
    code = text.strip().upper()
    if code not in active_profile().district_codes:
        raise argparse.ArgumentTypeError(
            f"not a trustee district: {text!r} (districts: "
            f"{', '.join(active_profile().district_codes)})"
        )
    return code


def meeting_id(text: str) -> int:
    if not text.isascii() or not text.isdigit():
        raise argparse.ArgumentTypeError(f"a meeting id is a number: {text!r}")
    return int(text)


def count(text: str) -> int:
    if not text.isascii() or not text.isdigit():
        raise argparse.ArgumentTypeError(f"a count of votes is a whole number: {text!r}")
    return int(text)
