"""Postal addresses: the checks a mailing address must pass before bills go to it."""

from __future__ import annotations

import re
from dataclasses import dataclass

US_STATES = frozenset(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "PR",
        "GU",
        "VI",
        "AS",
        "MP",
    ]
)
ZIP_PATTERN = re.compile(r"^\d{5}(-\d{4})?$")
CITY_PATTERN = re.compile(r"^[A-Za-z\u00C0-\u017F][A-Za-z\u00C0-\u017F .'\-]*$")


@dataclass(frozen=True, slots=True)
class Address:
    """A US postal address (``line2`` optional)."""

    line1: str
    city: str
    state: str
    zip_code: str
    line2: str = ""

    def one_line(self) -> str:
        street = ", ".join(part for part in (self.line1, self.line2) if part)
        return f"{street}, {self.city}, {self.state} {self.zip_code}"


def address_problems(address: Address) -> list[tuple[str, str]]:
    """Each ``(field, message)`` wrong with ``address``; empty when it can be mailed to."""
    problems: list[tuple[str, str]] = []
    if not address.line1.strip():
        problems.append(("line1", "street address is required"))
    if not CITY_PATTERN.match(address.city.strip()):
        problems.append(("city", f"not a city name: {address.city!r}"))
    if address.state.strip().upper() not in US_STATES:
        problems.append(("state", f"not a US state code: {address.state!r}"))
    if not ZIP_PATTERN.match(address.zip_code.strip()):
        problems.append(("zip_code", f"ZIP code must be 12345 or 12345-6789: {address.zip_code!r}"))
    return problems
