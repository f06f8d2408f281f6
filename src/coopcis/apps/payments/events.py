"""What the payments app announces (coopcis.events); other apps subscribe, payments
imports none of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class PaymentPosted:
    """A payment was applied and posted to the ledger (announced on commit)."""

    payment_id: int
    account_id: int
    received_on: date
