"""The most one payment may be, by the channel it comes in through and its tender.

A kiosk's cash slot does not take $9,999,999,999.99: each co-op sets, in its profile's
``[payment_ceilings]``, the largest single payment each way in accepts. A key is a
channel and tender (``"KIOSK.CASH"``), a channel (``"KIOSK"``) or ``"default"``; the most
specific key present applies. An amount above its ceiling is refused, not posted.
"""

from __future__ import annotations

from collections.abc import Mapping

from coopcis.core.money import LARGEST_AMOUNT, Money, parse_amount

DEFAULT = "default"


def read_ceilings(table: Mapping[str, object]) -> dict[str, Money]:
    """The profile's ``[payment_ceilings]`` table as Money, each no more than the columns hold.

    Amounts are text in the profile so that they parse exactly (``"500.00"``)."""
    ceilings: dict[str, Money] = {}
    for key, value in table.items():
        ceilings[key] = parse_amount(value, field=f"payment_ceilings.{key}")
    return ceilings


def ceiling_for(ceilings: Mapping[str, Money], *, channel: str, tender: str) -> Money:
    """The largest single payment ``channel`` takes in ``tender``."""
    for key in (f"{channel}.{tender}", channel, DEFAULT):
        if key in ceilings:
            return ceilings[key]
    return LARGEST_AMOUNT
