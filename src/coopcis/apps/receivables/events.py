"""What the receivables app announces (coopcis.events); other apps subscribe, receivables
imports none of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class ChargePosted:
    """A charge (a fee) was added to the member's open items; announced in the
    transaction, so the member's credit balance is applied to it before that commits."""

    account_id: int
    item_id: int
    posted_on: date
