"""What the collections app announces (coopcis.events); apps above it subscribe, and
collections imports none of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class MailedDisconnectNotice:
    """One disconnection notice recorded (and so mailed): its case, round and facts."""

    case_id: int
    account_id: int
    round: int
    amount: Decimal
    disconnect_on: date | None


@dataclass(frozen=True, slots=True)
class DisconnectNoticesMailed:
    """Disconnection notices the daily run recorded, announced after its transaction
    commits (a dry run's are rolled back with it and never announced): the portal sends
    each member who signed up a copy by email or text (17.5.410 NMAC keeps the mailed
    notice the legal one)."""

    notices: tuple[MailedDisconnectNotice, ...]
