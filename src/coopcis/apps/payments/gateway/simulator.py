"""A card and e-check processor simulator, for development and tests.

The real processor cannot be reached from here, so this one behaves like one, decided
by the token the front end sends:

- ``tok_approve`` (or any ``tok_approve_...``): approved.
- ``tok_decline_<reason>``: declined, e.g. ``tok_decline_insufficient``.
- ``tok_timeout``: the charge is made but the answer is lost (TIMEOUT); a retry with the
  same idempotency key gets the original approval, as from a real processor.
- ``tok_echeck_settles``: approved; later a settlement callback.
- ``tok_echeck_returns_R01`` (any NACHA code): approved; later a return callback.
- anything else: declined as an invalid token.

Card numbers and bank accounts become tokens as processors' test modes make them
(:meth:`SimulatorGateway.tokenize_card`): the test card ``4242424242424242`` approves,
``4000000000000002`` is declined ("card declined"), ``4000000000009995`` is declined for
insufficient funds; any other number that passes the Luhn check is declined as unknown
to the test processor. A bank account tokenizes to an e-check that settles, or with an
account number ending ``R01`` (any return code) comes back returned with that code.

A card charge can be disputed with :meth:`SimulatorGateway.charge_back`, which queues
a chargeback callback.

Charges are remembered by idempotency key (a retry never charges twice; the same key
with a different token or amount is refused). A callback carries the time it was sent
(header ``X-Gateway-Timestamp``, Unix seconds) and an event id (``id`` in the JSON body),
and is signed with HMAC-SHA256 over ``<timestamp>.<body>`` (header
``X-Gateway-Signature: sha256=<hex>``), so neither can be altered. Like real ones,
callbacks are delivered more than once. The memory is the process's: one simulator per
server process.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from stdnum import luhn

from coopcis.apps.payments.gateway.base import (
    BadCallback,
    BadSignature,
    CallbackEvent,
    CallbackKind,
    CardRefused,
    GatewayMismatch,
    GatewayResult,
    Outcome,
    PaymentToken,
)
from coopcis.core.money import Money

SIGNATURE_HEADER = "X-Gateway-Signature"
TIMESTAMP_HEADER = "X-Gateway-Timestamp"
EVENT_TYPES = {
    "echeck.settled": CallbackKind.SETTLED,
    "echeck.returned": CallbackKind.RETURNED,
    "card.chargeback": CallbackKind.CHARGEBACK,
}
DECLINE_REASONS = {
    "insufficient": "insufficient funds",
    "expired": "card expired",
    "stolen": "card reported lost or stolen",
    "cvv": "security code does not match",
    "card": "card declined",
    "unknown": "card number not known to the test processor",
}
#: Processors' test card numbers and the token each becomes.
TEST_CARDS = {
    "4242424242424242": "tok_approve_visa_4242",
    "4000000000000002": "tok_decline_card",
    "4000000000009995": "tok_decline_insufficient",
    "5555555555554444": "tok_approve_mastercard_4444",
}
RETURN_REASONS = {
    "R01": "insufficient funds",
    "R02": "account closed",
    "R03": "no account / unable to locate account",
    "R04": "invalid account number",
}
_RETURN_TOKEN = re.compile(r"^tok_echeck_returns_(R\d\d)$")


@dataclass(frozen=True)
class _Charge:
    token: str
    amount: Money
    result: GatewayResult


class SimulatorGateway:
    """Deterministic processor; see the module docstring for the tokens it understands."""

    name = "simulator"

    def __init__(self, *, secret: str) -> None:
        self._secret = secret.encode()
        self._lock = threading.Lock()
        self._charges: dict[str, _Charge] = {}
        self._pending: list[CallbackEvent] = []
        self._numbers = itertools.count(100001)

    @property
    def charges_made(self) -> int:
        """How many distinct charges the processor made (retries are not charges)."""
        return sum(1 for charge in self._charges.values() if charge.result.approved)

    def charge(self, *, token: str, amount: Money, idempotency_key: str) -> GatewayResult:
        with self._lock:
            known = self._charges.get(idempotency_key)
            if known is not None:
                if known.token != token or known.amount != amount:
                    raise GatewayMismatch(f"key {idempotency_key!r} was used for another charge")
                return known.result
            result = self._decide(token)
            self._charges[idempotency_key] = _Charge(token, amount, result)
            if result.approved and token.startswith("tok_echeck_"):
                self._pending.append(self._settlement(token, result.authorization))
            # the charge is made, but this answer is lost on the way back
            return GatewayResult(Outcome.TIMEOUT) if token == "tok_timeout" else result

    def _decide(self, token: str) -> GatewayResult:
        if token.startswith("tok_decline_"):
            code = token.removeprefix("tok_decline_")
            return GatewayResult(
                Outcome.DECLINED, decline_reason=DECLINE_REASONS.get(code, f"declined ({code})")
            )
        approves = (
            token == "tok_approve"
            or token.startswith("tok_approve_")
            or token in ("tok_timeout", "tok_echeck_settles")
            or _RETURN_TOKEN.match(token)
        )
        if not approves:
            return GatewayResult(Outcome.DECLINED, decline_reason="invalid or expired token")
        return GatewayResult(Outcome.APPROVED, authorization=f"SIM{next(self._numbers)}")

    def _settlement(self, token: str, authorization: str) -> CallbackEvent:
        returned = _RETURN_TOKEN.match(token)
        if returned is None:
            return CallbackEvent(f"evt_{authorization}", CallbackKind.SETTLED, authorization)
        code = returned.group(1)
        return CallbackEvent(
            f"evt_{authorization}",
            CallbackKind.RETURNED,
            authorization,
            return_code=code,
            reason=RETURN_REASONS.get(code, "returned"),
        )

    def charge_back(self, authorization: str, *, code: str = "10.4", reason: str = "") -> None:
        """The cardholder disputed the card charge ``authorization``: queue a chargeback."""
        with self._lock:
            self._pending.append(
                CallbackEvent(
                    f"evt_cb_{authorization}",
                    CallbackKind.CHARGEBACK,
                    authorization,
                    return_code=code,
                    reason=reason or "disputed by the cardholder",
                )
            )

    # -- tokenization (a real processor does it in the browser) ---------------------------

    def tokenize_card(
        self, *, number: str, expiry_month: int, expiry_year: int, cvc: str, name: str
    ) -> PaymentToken:
        digits = "".join(number.split()).replace("-", "")
        if not (digits.isdigit() and 12 <= len(digits) <= 19 and luhn.is_valid(digits)):
            raise CardRefused("this is not a card number", field="card_number")
        if not (cvc.isdigit() and len(cvc) in (3, 4)):
            raise CardRefused("the security code is 3 or 4 digits", field="cvc")
        if not 1 <= expiry_month <= 12:
            raise CardRefused("the expiry month is 1 to 12", field="expiry")
        token = TEST_CARDS.get(digits, "tok_decline_unknown")
        brand = "Visa" if digits.startswith("4") else "Mastercard" if digits[0] == "5" else ""
        return PaymentToken(token, digits[-4:], brand, expiry_month, expiry_year)

    def tokenize_bank_account(
        self, *, routing_number: str, account_number: str, holder_name: str
    ) -> PaymentToken:
        returned = re.search(r"(R\d\d)$", account_number.upper())
        token = f"tok_echeck_returns_{returned.group(1)}" if returned else "tok_echeck_settles"
        return PaymentToken(token, account_number[-4:], "e-check")

    # -- callbacks -----------------------------------------------------------------------

    def signed_callback(
        self, event: CallbackEvent, *, sent_at: datetime | None = None
    ) -> tuple[bytes, dict[str, str]]:
        """The body and headers the processor would POST for ``event``, sent at
        ``sent_at`` (default: ``event.sent_at``, or now)."""
        kinds = {kind: name for name, kind in EVENT_TYPES.items()}
        body = json.dumps(
            {
                "id": event.event_id,
                "type": kinds[event.kind],
                "authorization": event.authorization,
                "return_code": event.return_code,
                "reason": event.reason,
            },
            sort_keys=True,
        ).encode()
        moment = sent_at or event.sent_at or datetime.now(UTC)
        timestamp = str(int(moment.timestamp()))
        return body, {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: self.sign(body, timestamp)}

    def sign(self, body: bytes, timestamp: str) -> str:
        signed = timestamp.encode() + b"." + body
        return "sha256=" + hmac.new(self._secret, signed, hashlib.sha256).hexdigest()

    def deliver_callbacks(
        self, send: Callable[[bytes, dict[str, str]], object], *, times: int = 2
    ) -> int:
        """Send every pending e-check settlement or return ``times`` times each (processors
        deliver at least once, so duplicates are normal); returns the events sent."""
        with self._lock:
            events, self._pending = self._pending, []
        for event in events:
            body, headers = self.signed_callback(replace(event, sent_at=None))
            for _ in range(times):
                send(body, headers)
        return len(events)

    def handle_callback(self, *, body: bytes, headers: Mapping[str, str]) -> CallbackEvent:
        presented = _header(headers, SIGNATURE_HEADER)
        timestamp = _header(headers, TIMESTAMP_HEADER)
        if not presented or not hmac.compare_digest(presented, self.sign(body, timestamp)):
            raise BadSignature("the callback signature does not match")
        if not (timestamp.isdigit() and len(timestamp) <= 12):
            raise BadCallback(f"a callback needs its {TIMESTAMP_HEADER} (Unix seconds)")
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise BadCallback("the callback body is not JSON") from None
        if not isinstance(data, dict):
            raise BadCallback("the callback body must be a JSON object")
        kind = EVENT_TYPES.get(str(data.get("type", "")))
        event_id, authorization = data.get("id"), data.get("authorization")
        if (
            kind is None
            or not isinstance(event_id, str)
            or not event_id.strip()
            or not isinstance(authorization, str)
        ):
            raise BadCallback("a callback needs an event id, a known type and an authorization")
        return CallbackEvent(
            event_id.strip(),
            kind,
            authorization,
            return_code=str(data.get("return_code") or ""),
            reason=str(data.get("reason") or ""),
            sent_at=datetime.fromtimestamp(int(timestamp), UTC),
        )


def _header(headers: Mapping[str, str], name: str) -> str:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return ""
