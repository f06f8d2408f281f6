"""What the billing app announces (coopcis.events); other apps subscribe, billing imports
none of them. Both are delivered in the announcing transaction: the money moves with the
bill, or not at all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class BillsPosted:
    """Bills were posted and their open items made: payments applies these accounts'
    credit balances to them, on ``on`` (None: today)."""

    account_ids: tuple[int, ...]
    on: date | None = None


@dataclass(frozen=True, slots=True)
class BillCancelled:
    """A bill was cancelled: payments gives what was applied to its open item back to
    the payments as credit, voids the item and applies the credit again."""

    item_id: int
    on: date
