"""JSON API v1 for the payment front ends: online portal, kiosks, IVR and mobile app.

Authenticated by a channel API key (``Authorization: Bearer cpk_...``), not a staff
session, so CSRF does not apply. The channel of a payment is the key's channel.

- ``POST /api/v1/payments`` with ``Idempotency-Key``: 201 and the payment; 200 and the
  same body for a repeat; 409 ``{"error"}`` for the key used with other content (or still
  in progress); 402 for a card declined; 504 when the processor did not answer (retry with
  the same key); 400 ``{"errors": {field: [...]}}`` for bad input; 401 without a valid key.
- ``GET /api/v1/payments/accounts/<number>/balance``: balance, amount due, due date.
- Every key has a rate limit (``requests_per_minute``): past it, 429 with ``Retry-After``.
  A key that reads the balance of many accounts that pay nothing through it is flagged
  and logged (``coopcis payments api-key list`` shows it).
- ``POST /api/v1/payments/gateway/callback``: the processor's signed e-check and card
  notices: 403 for a bad signature, 400 for one signed more than 5 minutes ago, 409 for
  an event id already received, 422 for a kind that cannot apply to the payment's tender
  (an e-check return on a card), 404 for an unknown authorization.

Money is a JSON string ("54.20"), never a number: a JSON number is a binary float to
most clients. An unknown account is a 400 on ``account``, as any other bad field.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Header, Router
from ninja.security import HttpBearer

from coopcis.apps.audit.context import acting_as
from coopcis.apps.billing.models import Bill, BillStatus
from coopcis.apps.ledger.services import member_balance
from coopcis.apps.members.models import Account
from coopcis.apps.payments.gateway import (
    BadCallback,
    BadSignature,
    configured_gateway,
)
from coopcis.apps.payments.keys import admit, authenticate, record_lookup
from coopcis.apps.payments.models import ChannelApiKey, Tender
from coopcis.apps.payments.schemas import (
    BalanceOut,
    CallbackOut,
    ErrorOut,
    FieldErrorsOut,
    PaymentIn,
    PaymentOut,
)
from coopcis.apps.payments.services import IdempotencyConflict
from coopcis.apps.payments.submissions import (
    CallbackRefused,
    Submission,
    apply_callback,
    submit_payment,
)
from coopcis.core.errors import RuleViolation
from coopcis.core.money import AmountError, parse_amount
from coopcis.site.openapi import BodyError, json_body, read_json_object

BODY_FIELDS = ("account", "amount", "tender", "reference", "token")
IDEMPOTENCY_KEY_MAX = 80
RETRY_AFTER_SECONDS = "2"


class BadRequest(Exception):
    """Input the API cannot use: messages by field (``__all__`` for the body as a whole)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


class KeyRefused(Exception):
    """No valid channel key: a 401 with ``WWW-Authenticate``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RateLimited(Exception):
    """The key made more requests this minute than it may: a 429 with ``Retry-After``."""

    def __init__(self, api_key: ChannelApiKey, wait: int) -> None:
        super().__init__(f"this key may make {api_key.requests_per_minute} requests a minute")
        self.message = str(self)
        self.wait = wait


class ChannelKey(HttpBearer):
    """``Authorization: Bearer cpk_...``: a valid, active channel key within its rate limit."""

    openapi_scheme = "bearer"

    def __call__(self, request: HttpRequest) -> ChannelApiKey:
        scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not presented.strip():
            raise KeyRefused("send the channel API key: Authorization: Bearer <key>")
        return self.authenticate(request, presented.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ChannelApiKey:
        api_key = authenticate(token)
        if api_key is None:
            raise KeyRefused("the API key is not valid (unknown or revoked)")
        wait = admit(api_key, now=timezone.now())
        if wait is not None:
            raise RateLimited(api_key, wait)
        return api_key


def key_refused(request: HttpRequest, refused: KeyRefused) -> HttpResponse:
    response = JsonResponse({"error": refused.message}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="coopcis payments"'
    return response


def rate_limited(request: HttpRequest, limited: RateLimited) -> HttpResponse:
    response = JsonResponse({"error": limited.message}, status=429)
    response["Retry-After"] = str(limited.wait)
    return response


def as_front_end(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The request acts as the key's front end (audit); refusals as JSON by field."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        api_key: ChannelApiKey = request.auth  # type: ignore[attr-defined]
        label = f"api:{api_key.prefix} {api_key.name}"[:150]
        with acting_as(user=None, label=label):
            try:
                return view(request, *args, **kwargs)
            except BadRequest as bad:
                return JsonResponse({"errors": bad.errors}, status=400)
            except IdempotencyConflict as conflict:
                return JsonResponse({"error": conflict.message}, status=409)
            except RuleViolation as violation:
                field = violation.field or "__all__"
                return JsonResponse({"errors": {field: [violation.message]}}, status=400)

    return wrapped


def object_body(request: HttpRequest) -> dict[str, Any]:
    """The request's JSON object (an empty body is ``{}``); 400 by ``__all__`` otherwise.
    The front-end APIs (payments, outage reports) read their bodies with it."""
    try:
        return read_json_object(request.body, empty="")
    except BodyError as bad:
        raise BadRequest({"__all__": [str(bad)]}) from None


def _idempotency_key(sent: str | None) -> str:
    key = (sent or "").strip()
    if not key:
        problem = "send an Idempotency-Key header (a new one for each payment)"
    elif len(key) > IDEMPOTENCY_KEY_MAX or not key.isascii() or not key.isprintable():
        problem = f"at most {IDEMPOTENCY_KEY_MAX} printable ASCII characters"
    else:
        return key
    raise BadRequest({"idempotency_key": [problem]})


def _text(body: dict[str, Any], field: str, errors: dict[str, list[str]], *, limit: int) -> str:
    value = body.get(field, "")
    if not isinstance(value, str):
        errors[field] = ["must be text (a JSON string)"]
        return ""
    if len(value.strip()) > limit:
        errors[field] = [f"at most {limit} characters"]
    return value.strip()


def _amount(body: dict[str, Any], errors: dict[str, list[str]]) -> Decimal:
    value = body.get("amount")
    if value is None:
        errors["amount"] = ['required, as a string of dollars and cents, e.g. "54.20"']
    elif not isinstance(value, str):
        errors["amount"] = ['send money as a string, e.g. "54.20", not a JSON number']
    else:
        try:
            return parse_amount(value, field="amount").amount
        except AmountError as refused:
            errors["amount"] = [refused.message]
    return Decimal(0)


def parse_submission(body: dict[str, Any]) -> Submission:
    """The body as a :class:`Submission`, or every problem with it at once."""
    errors: dict[str, list[str]] = {}
    for name in body:
        if name not in BODY_FIELDS:
            errors[name] = [f"unknown field; known: {', '.join(BODY_FIELDS)}"]
    account = _text(body, "account", errors, limit=12)
    if "account" not in errors and not account:
        errors["account"] = ["required: the account number"]
    amount = _amount(body, errors)
    tender = _text(body, "tender", errors, limit=14)
    if "tender" not in errors and tender not in Tender.values:
        errors["tender"] = [f"not one of {', '.join(Tender.values)}: {tender!r}"]
    reference = _text(body, "reference", errors, limit=80)
    token = _text(body, "token", errors, limit=200) if "token" in body else ""
    if "token" in body and "token" not in errors and not token:
        errors["token"] = ["must not be empty"]
    if errors:
        raise BadRequest(errors)
    return Submission(account, amount, tender, reference, token)


router = Router(tags=["payments"])
_REFUSALS: dict[int | str, Any] = {400: FieldErrorsOut, 401: ErrorOut, 429: ErrorOut}


@router.post(
    "/payments",
    auth=ChannelKey(),
    response={200: PaymentOut, 201: PaymentOut, 402: ErrorOut, 409: ErrorOut, 504: ErrorOut}
    | _REFUSALS,
    summary="Take a payment (idempotent by Idempotency-Key)",
    openapi_extra=json_body(PaymentIn),
)
@as_front_end
def payments(
    request: HttpRequest,
    idempotency_key: str | None = Header(
        None, alias="Idempotency-Key", description="a new one for each payment; repeat to retry"
    ),
) -> HttpResponse:
    key = _idempotency_key(idempotency_key)
    submission = parse_submission(object_body(request))
    answer = submit_payment(
        api_key=request.auth,  # type: ignore[attr-defined]
        idempotency_key=key,
        submission=submission,
        received_on=timezone.localdate(),
        now=timezone.now(),
        gateway=configured_gateway(),
    )
    response = JsonResponse(answer.body, status=answer.status)
    if answer.status in (409, 504):
        response["Retry-After"] = RETRY_AFTER_SECONDS
    return response


@router.get(
    "/payments/accounts/{number}/balance",
    auth=ChannelKey(),
    response={200: BalanceOut} | _REFUSALS,
    summary="An account's balance, amount due and due date",
)
@as_front_end
def balance(request: HttpRequest, number: str) -> HttpResponse:
    """What a kiosk or the IVR reads out: balance, amount due now, due date of the latest bill."""
    api_key: ChannelApiKey = request.auth  # type: ignore[attr-defined]
    account = Account.objects.filter(number=number.strip()).first()
    if account is None:
        raise BadRequest({"account": ["no such account"]})
    record_lookup(record=api_key, account=account, on=timezone.localdate(), now=timezone.now())
    owed = member_balance(account)
    latest = (
        Bill.objects.filter(account=account, status=BillStatus.POSTED)
        .order_by("-bill_date", "-id")
        .only("due_date")
        .first()
    )
    return JsonResponse(
        {
            "account": account.number,
            "status": account.status,
            "balance": f"{owed:.2f}",
            "amount_due": f"{max(owed, Decimal(0)):.2f}",
            "due_date": latest.due_date.isoformat() if latest else None,
        }
    )


@router.post(
    "/payments/gateway/callback",
    response={
        200: CallbackOut,
        400: FieldErrorsOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
    summary="The processor's signed e-check settlement or return, or a card chargeback",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
)
def gateway_callback(request: HttpRequest) -> HttpResponse:
    """The processor's e-check settlement or return or card chargeback, signed with the
    shared secret (see the module docstring for the refusals)."""
    gateway = configured_gateway()
    try:
        event = gateway.handle_callback(body=request.body, headers=request.headers)
    except BadSignature as bad:
        return JsonResponse({"error": str(bad)}, status=403)
    except BadCallback as bad:
        return JsonResponse({"errors": {"__all__": [str(bad)]}}, status=400)
    with acting_as(user=None, label=f"gateway:{gateway.name}"):
        try:
            outcome = apply_callback(
                event=event, gateway_name=gateway.name, on=timezone.localdate(), at=timezone.now()
            )
        except CallbackRefused as refused:
            return JsonResponse({"error": refused.message}, status=refused.status)
        except RuleViolation as violation:  # e.g. the payment was voided meanwhile
            return JsonResponse({"error": violation.message}, status=409)
    return JsonResponse(
        {"event": event.event_id, "applied": outcome.applied, "detail": outcome.detail}
    )
