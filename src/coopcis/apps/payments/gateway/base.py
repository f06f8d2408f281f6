"""What a card and e-check processor must do for coopcis: the interface a real one plugs into.

``charge`` asks the processor to take money for a token (a card or bank account the
front end tokenized; coopcis never sees card numbers). It is idempotent by key, as
processors are: a retry with the same key gets the first outcome and never a second
charge. A transport failure or a late answer is a ``TIMEOUT``, never an exception: the
outcome is unknown, and the caller retries with the same key to learn it.

E-checks settle days later, and may come back returned (NACHA return codes: R01
insufficient funds, R02 account closed...); a card payment may be disputed by the
cardholder and charged back. The processor tells us by calling back; ``handle_callback``
checks the call is really from the processor and reads it, with the time the processor
sent it (a callback older than five minutes, or an event already received, is refused by
``coopcis.apps.payments.submissions.apply_callback``, so a captured callback cannot be
replayed).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from coopcis.core.money import Money


class Outcome(enum.StrEnum):
    APPROVED = "approved"
    DECLINED = "declined"
    TIMEOUT = "timeout"


@dataclass(frozen=True)
class GatewayResult:
    """The processor's answer to a charge."""

    outcome: Outcome
    authorization: str = ""
    decline_reason: str = ""

    @property
    def approved(self) -> bool:
        return self.outcome is Outcome.APPROVED


class CallbackKind(enum.StrEnum):
    """What a callback says happened: an e-check settled or came back returned, or a card
    payment was charged back. Returns apply to e-checks only; chargebacks to cards only."""

    SETTLED = "settled"
    RETURNED = "returned"
    CHARGEBACK = "chargeback"


@dataclass(frozen=True)
class CallbackEvent:
    """A processor's notice about an earlier charge, found by its authorization.

    ``event_id`` is the processor's own, unique per event (redeliveries repeat it);
    ``sent_at`` is when the processor signed it."""

    event_id: str
    kind: CallbackKind
    authorization: str
    return_code: str = ""
    reason: str = ""
    sent_at: datetime | None = None


class GatewayMismatch(Exception):
    """The idempotency key was used at the processor for a different charge."""


class BadSignature(Exception):
    """A callback not signed by the processor (or altered on the way)."""


class BadCallback(Exception):
    """A signed callback the processor's format does not allow."""


@dataclass(frozen=True)
class PaymentToken:
    """A card or bank account as the processor holds it: the token to charge, and what a
    member may be shown of it (never the number itself)."""

    token: str
    last4: str
    brand: str = ""
    expiry_month: int | None = None
    expiry_year: int | None = None


class CardRefused(Exception):
    """The processor will not take these card details (not a card number, expired)."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@runtime_checkable
class Tokenizer(Protocol):
    """A processor's tokenization: a real one does it in the member's browser (hosted
    fields), so the card number never reaches coopcis; the simulator does it on the
    server, which only a development or test site may do."""

    def tokenize_card(
        self, *, number: str, expiry_month: int, expiry_year: int, cvc: str, name: str
    ) -> PaymentToken:
        """A token for the card (:class:`CardRefused` for details no card has)."""
        ...

    def tokenize_bank_account(
        self, *, routing_number: str, account_number: str, holder_name: str
    ) -> PaymentToken:
        """A token for an e-check from this bank account."""
        ...


@runtime_checkable
class PaymentGateway(Protocol):
    """A card / e-check processor. ``name`` is recorded with every charge."""

    name: str

    def charge(self, *, token: str, amount: Money, idempotency_key: str) -> GatewayResult:
        """Take ``amount`` for ``token``; the same key always gets the same outcome."""
        ...

    def handle_callback(self, *, body: bytes, headers: Mapping[str, str]) -> CallbackEvent:
        """Check the callback's signature and read it (:class:`BadSignature`, :class:`BadCallback`)."""
        ...
