"""Payments submitted through the API by the online, kiosk, IVR and mobile front ends.

Each submission carries an ``Idempotency-Key`` (scoped to the front end's API key): the
first one is answered and the answer kept; a repeat with the same content gets that
answer again; the same key with different content is refused (:class:`IdempotencyConflict`).
A submission with a ``token`` is charged through the processor first and recorded only
when approved; a processor that does not answer leaves the request open for a retry
with the same key, which the processor answers with the original outcome.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction

from coopcis.apps.ledger.services import member_balance
from coopcis.apps.members.models import Account
from coopcis.apps.payments.gateway import (
    CallbackEvent,
    CallbackKind,
    GatewayMismatch,
    Outcome,
    PaymentGateway,
)
from coopcis.apps.payments.models import (
    ChannelApiKey,
    GatewayEvent,
    Payment,
    PaymentRequest,
    RequestState,
    Settlement,
    Tender,
)
from coopcis.apps.payments.services import (
    IdempotencyConflict,
    check_payment,
    receive_payment,
    reverse_payment,
)
from coopcis.core.errors import RuleViolation
from coopcis.core.money import Money

#: A request still marked in progress after this long lost its worker (a crash between
#: the processor's answer and ours); a retry may take it over and ask the processor again.
PENDING_STALE_AFTER = timedelta(minutes=2)
TOKEN_TENDERS = (Tender.CARD, Tender.ACH)
#: A processor callback signed longer ago than this (or this far in the future) is
#: refused: a captured callback cannot be replayed later.
CALLBACK_MAX_AGE = timedelta(minutes=5)
#: The tender each callback kind applies to: e-checks settle or come back returned; a
#: card payment is reversed only by a chargeback.
CALLBACK_TENDER = {
    CallbackKind.SETTLED: Tender.ACH,
    CallbackKind.RETURNED: Tender.ACH,
    CallbackKind.CHARGEBACK: Tender.CARD,
}


@dataclass(frozen=True)
class Submission:
    """What the front end asked: pay ``amount`` on ``account_number``; ``token`` when the
    processor is to charge a card or bank account, empty when the front end took the
    money itself (cash in a kiosk, a card it authorized)."""

    account_number: str
    amount: Decimal
    tender: str
    reference: str = ""
    token: str = ""

    def fingerprint(self) -> str:
        text = json.dumps(
            [self.account_number, f"{self.amount:.2f}", self.tender, self.reference, self.token]
        )
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Answer:
    """The HTTP status and body the API gives for a submission."""

    status: int
    body: dict[str, Any]


def scoped_key(api_key: ChannelApiKey, idempotency_key: str) -> str:
    """Keys are the front end's own: two kiosk vendors may both send "1"."""
    return f"api:{api_key.prefix}:{idempotency_key}"


def submit_payment(
    *,
    api_key: ChannelApiKey,
    idempotency_key: str,
    submission: Submission,
    received_on: date,
    now: datetime,
    gateway: PaymentGateway,
) -> Answer:
    """Answer one API submission (see the module docstring); refusals raise RuleViolation."""
    key = scoped_key(api_key, idempotency_key)
    existing = PaymentRequest.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return _repeat(existing, submission, now=now, received_on=received_on, gateway=gateway)
    account = Account.objects.filter(number=submission.account_number).first()
    account = check_payment(
        account=account,
        amount=submission.amount,
        channel=api_key.channel,
        tender=submission.tender,
    )
    if submission.token and submission.tender not in TOKEN_TENDERS:
        raise RuleViolation("a token pays by card (CARD) or e-check (ACH)", field="tender")
    if not submission.token:
        return _record_direct(api_key, key, account, submission, received_on)
    try:
        with transaction.atomic():
            request = PaymentRequest.objects.create(
                api_key=api_key,
                idempotency_key=key,
                fingerprint=submission.fingerprint(),
                state=RequestState.PENDING,
                created_at=now,
                attempted_at=now,
                gateway=gateway.name,
                tender=submission.tender,
            )
    except IntegrityError:
        existing = PaymentRequest.objects.get(idempotency_key=key)
        return _repeat(existing, submission, now=now, received_on=received_on, gateway=gateway)
    return _charge(request, account, submission, received_on=received_on, gateway=gateway)


def _record_direct(
    api_key: ChannelApiKey, key: str, account: Account, submission: Submission, on: date
) -> Answer:
    """Record a payment the front end took itself: request, payment and answer in one
    transaction, so a concurrent repeat waits for this one and then gets its answer."""
    try:
        with transaction.atomic():
            request = PaymentRequest.objects.create(
                api_key=api_key,
                idempotency_key=key,
                fingerprint=submission.fingerprint(),
                state=RequestState.PENDING,
            )
            return _record(request, account, submission, on=on, source=f"api {api_key.prefix}")
    except IntegrityError:
        existing = PaymentRequest.objects.filter(idempotency_key=key).first()
        if existing is None:
            raise
        if existing.fingerprint != submission.fingerprint():
            raise _conflict(key) from None
        return _stored(existing)


def _record(
    request: PaymentRequest, account: Account, submission: Submission, *, on: date, source: str
) -> Answer:
    received = receive_payment(
        account=account,
        amount=submission.amount,
        channel=request.api_key.channel,
        tender=submission.tender,
        received_on=on,
        reference=submission.reference or request.authorization,
        source=source,
        idempotency_key=request.idempotency_key,
    )
    answer = Answer(201, payment_body(received.payment, request.authorization))
    request.state = RequestState.RECORDED
    request.payment = received.payment
    request.response_status, request.response_body = answer.status, answer.body
    request.save(update_fields=["state", "payment", "response_status", "response_body"])
    return answer


def _repeat(
    request: PaymentRequest,
    submission: Submission,
    *,
    now: datetime,
    received_on: date,
    gateway: PaymentGateway,
) -> Answer:
    if request.fingerprint != submission.fingerprint():
        raise _conflict(request.idempotency_key)
    if request.response_status is not None:
        return _stored(request)
    if request.state == RequestState.PENDING and request.authorization:
        # approved at the processor, but our record of it did not complete: finish it
        account = Account.objects.get(number=submission.account_number)
        return _finish_approved(request, account, submission, received_on)
    stale = request.state == RequestState.TIMED_OUT or now - request.attempted_at >= (
        PENDING_STALE_AFTER
    )
    claimed = (
        stale
        and PaymentRequest.objects.filter(
            pk=request.pk, state=request.state, attempted_at=request.attempted_at
        ).update(state=RequestState.PENDING, attempted_at=now)
        == 1
    )
    if not claimed:
        return Answer(
            409,
            {
                "error": "a payment with this Idempotency-Key is still being processed; "
                "retry shortly with the same key"
            },
        )
    request.refresh_from_db()
    account = Account.objects.get(number=submission.account_number)
    return _charge(request, account, submission, received_on=received_on, gateway=gateway)


def _stored(request: PaymentRequest) -> Answer:
    assert request.response_status is not None and request.response_body is not None
    status = 200 if request.response_status == 201 else request.response_status
    return Answer(status, request.response_body)


def _conflict(key: str) -> IdempotencyConflict:
    shown = key.split(":", 2)[-1]
    return IdempotencyConflict(
        f"Idempotency-Key {shown!r} was used for a different payment", field="idempotency_key"
    )


def _charge(
    request: PaymentRequest,
    account: Account,
    submission: Submission,
    *,
    received_on: date,
    gateway: PaymentGateway,
) -> Answer:
    try:
        result = gateway.charge(
            token=submission.token,
            amount=Money(submission.amount),
            idempotency_key=request.idempotency_key,
        )
    except GatewayMismatch:
        PaymentRequest.objects.filter(pk=request.pk).update(state=RequestState.TIMED_OUT)
        raise _conflict(request.idempotency_key) from None
    except Exception:
        # the outcome is unknown: leave it for a retry with the same key to find out
        PaymentRequest.objects.filter(pk=request.pk).update(state=RequestState.TIMED_OUT)
        raise
    if result.outcome is Outcome.TIMEOUT:
        PaymentRequest.objects.filter(pk=request.pk).update(state=RequestState.TIMED_OUT)
        return Answer(
            504,
            {
                "error": "the card processor did not answer in time; retry with the same "
                "Idempotency-Key to learn the outcome (you will not be charged twice)"
            },
        )
    if result.outcome is Outcome.DECLINED:
        answer = Answer(
            402,
            {
                "error": f"declined: {result.decline_reason}",
                "decline_reason": result.decline_reason,
            },
        )
        request.state, request.decline_reason = RequestState.DECLINED, result.decline_reason[:200]
        request.response_status, request.response_body = answer.status, answer.body
        request.save(update_fields=["state", "decline_reason", "response_status", "response_body"])
        return answer
    request.authorization = result.authorization[:64]
    request.save(update_fields=["authorization"])
    return _finish_approved(request, account, submission, received_on)


def _finish_approved(
    request: PaymentRequest, account: Account, submission: Submission, on: date
) -> Answer:
    with transaction.atomic():
        request = PaymentRequest.objects.select_for_update().get(pk=request.pk)
        if request.response_status is not None:
            return _stored(request)
        source = f"gateway {request.gateway} {request.authorization}, api {request.api_key.prefix}"
        return _record(request, account, submission, on=on, source=source)


def payment_body(payment: Payment, authorization: str = "") -> dict[str, Any]:
    """The payment as the API shows it, with the member's balance right after it posted."""
    applications = list(
        payment.applications.filter(released_on__isnull=True).select_related("item").order_by("id")
    )
    applied = sum((application.amount for application in applications), Decimal(0))
    body: dict[str, Any] = {
        "id": payment.pk,
        "account": payment.account.number,
        "amount": f"{payment.amount:.2f}",
        "applied": f"{applied:.2f}",
        "unapplied": f"{payment.unapplied_amount:.2f}",
        "balance_after": f"{member_balance(payment.account):.2f}",
        "status": payment.status,
        "channel": payment.channel,
        "tender": payment.tender,
        "reference": payment.reference,
        "received_on": payment.received_on.isoformat(),
        "applied_to": [
            {
                "description": application.item.description,
                "due_on": application.item.due_on.isoformat(),
                "amount": f"{application.amount:.2f}",
            }
            for application in applications
        ],
    }
    if authorization:
        body["authorization"] = authorization
    return body


@dataclass(frozen=True)
class CallbackOutcome:
    applied: bool
    detail: str


class CallbackRefused(Exception):
    """A signed callback that must not apply; ``status`` is the HTTP answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@transaction.atomic
def apply_callback(
    *, event: CallbackEvent, gateway_name: str, on: date, at: datetime
) -> CallbackOutcome:
    """Apply the processor's e-check settlement or return, or card chargeback, to the
    charge it names: once per event id, only within ``CALLBACK_MAX_AGE`` of its signing,
    and only to the tender it can apply to (:class:`CallbackRefused` otherwise; nothing
    is written then, not even the event id)."""
    if event.sent_at is None or abs(at - event.sent_at) > CALLBACK_MAX_AGE:
        raise CallbackRefused(
            400, "the callback was not signed within the last 5 minutes: refused as a replay"
        )
    try:
        with transaction.atomic():
            GatewayEvent.objects.create(
                gateway=gateway_name,
                event_id=event.event_id,
                kind=event.kind.value,
                authorization=event.authorization[:64],
                sent_at=event.sent_at,
                received_at=at,
            )
    except IntegrityError:
        raise CallbackRefused(409, f"event {event.event_id!r} was already received") from None
    request = (
        PaymentRequest.objects.select_for_update()
        .filter(gateway=gateway_name, authorization=event.authorization)
        .exclude(authorization="")
        .first()
    )
    if request is None:
        raise CallbackRefused(404, f"no charge with authorization {event.authorization!r}")
    tender = request.tender or (request.payment.tender if request.payment else "")
    if tender != CALLBACK_TENDER[event.kind]:
        raise CallbackRefused(
            422,
            f"a {event.kind.value} event applies to {CALLBACK_TENDER[event.kind]} payments, "
            f"not to this {tender or 'unknown'} payment",
        )
    if event.kind is CallbackKind.SETTLED:
        if request.settlement:
            return CallbackOutcome(False, f"already {request.get_settlement_display().lower()}")
        request.settlement, request.settled_at = Settlement.SETTLED, at
        request.save(update_fields=["settlement", "settled_at"])
        return CallbackOutcome(True, "settled")
    return _reverse_for_callback(request, event, on=on, at=at)


def _reverse_for_callback(
    request: PaymentRequest, event: CallbackEvent, *, on: date, at: datetime
) -> CallbackOutcome:
    """An e-check returned or a card charged back: reverse its payment, once."""
    returned = event.kind is CallbackKind.RETURNED
    settlement = Settlement.RETURNED if returned else Settlement.CHARGEBACK
    if request.settlement in (Settlement.RETURNED, Settlement.CHARGEBACK):
        return CallbackOutcome(False, f"already {request.get_settlement_display().lower()}")
    what = "e-check returned" if returned else "card charged back"
    if request.payment is not None:
        reverse_payment(
            payment=request.payment,
            on=on,
            reason=f"{what} {event.return_code}: {event.reason}".strip()[:200],
            return_code=event.return_code,
        )
    request.settlement, request.return_code = settlement, event.return_code[:4]
    request.settled_at = at
    request.save(update_fields=["settlement", "return_code", "settled_at"])
    return CallbackOutcome(True, settlement.label.lower())
