"""Paying retirements: check numbers, payees and the last known address, the ledger.

Shared by general and estate retirements. A check is mailed to the account's mailing
address on file (the last known address, art. VIII sec. 3) and waits in accounts payable
(232) until it is claimed (cashed: Dr 232, Cr 131 cash) or, two years after mailing,
becomes a gift to the educational and charitable fund (:mod:`unclaimed`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Max

from coopcis.apps.capital_credits.models import Payout
from coopcis.apps.members.models import Account
from coopcis.core.search import fold

CHECKS_PAYABLE = "232"
CHUNK = 2000


@dataclass(frozen=True)
class Patron:
    """What a check and its register need to know about an account."""

    id: int
    number: str
    name: str
    address: str
    active: bool


def patrons(ids: list[int]) -> dict[int, Patron]:
    found: dict[int, Patron] = {}
    for offset in range(0, len(ids), CHUNK):
        rows = Account.objects.filter(pk__in=ids[offset : offset + CHUNK]).values_list(
            "id",
            "number",
            "party__display_name",
            "mailing_line1",
            "mailing_line2",
            "mailing_city",
            "mailing_state",
            "mailing_zip",
            "status",
        )
        for pk, number, name, line1, line2, city, state, zip_code, status in rows:
            street = "; ".join(part for part in (line1, line2) if part)
            found[pk] = Patron(
                pk, number, name, f"{street}; {city} {state} {zip_code}", status == "ACTIVE"
            )
    return found


def next_check_number(first: int | None = None) -> int:
    """The first check number to use: ``first`` when given, else after the largest used."""
    if first is not None:
        return first
    largest = Payout.objects.aggregate(largest=Max("check_number"))["largest"]
    return (largest or 0) + 1


def search_text(name: str, number: str) -> str:
    return f"{fold(name)} {number}"[:240]


def amounts_text(value: Decimal) -> str:
    return f"{value:.2f}"
