"""Payments the member makes in the portal, by card or e-check, and recurring card autopay.

The portal is a payment front end like the kiosks and the IVR: a one-time payment goes
through the same submission path as ``POST /api/v1/payments`` (:func:`submit_payment`),
idempotent by the key the payment form carries, charged through the configured gateway,
under the ``ONLINE`` channel's ceiling, and posted at once as every other payment is (so
the staff account page shows it). The portal's requests are recorded under its own
channel key, made the first time it is needed with a secret nobody keeps: it cannot be
used from outside, and `coopcis payments api-key list` shows the portal's payments
beside the other front ends'.

A recurring card stores the processor's token, the card's last four digits and expiry,
never the number; ``coopcis autopay charge`` charges it on the due date
(:func:`charge_recurring_cards`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction

from coopcis.apps.members.models import Account
from coopcis.apps.payments.gateway import PaymentGateway
from coopcis.apps.payments.keys import _hash
from coopcis.apps.payments.models import (
    ApiChannel,
    ChannelApiKey,
    Payment,
    PaymentRequest,
    RequestState,
)
from coopcis.apps.payments.submissions import Submission, submit_payment

PORTAL_KEY_NAME = "member portal"
#: Prefix of the portal's own key (a key made by ``api-key create`` has 12 hex digits).
PORTAL_KEY_PREFIX = "portal"


@dataclass(frozen=True)
class OnlineOutcome:
    """What the member is told: the payment posted, declined (and why), or not known yet
    (the processor did not answer: the same form, sent again, finds out)."""

    payment: Payment | None
    declined: str = ""
    pending: bool = False
    authorization: str = ""
    #: this submission made the payment (a repeat of the form gets it back, not first)
    first: bool = False

    @property
    def approved(self) -> bool:
        return self.payment is not None


def portal_channel_key() -> ChannelApiKey:
    """The portal's own channel key (ONLINE), made once; its secret is never kept."""
    key = ChannelApiKey.objects.filter(prefix=PORTAL_KEY_PREFIX).first()
    if key is not None:
        return key
    salt = secrets.token_hex(16)
    key, _ = ChannelApiKey.objects.get_or_create(
        prefix=PORTAL_KEY_PREFIX,
        defaults={
            "name": PORTAL_KEY_NAME,
            "channel": ApiChannel.ONLINE,
            "salt": salt,
            "key_hash": _hash(salt, secrets.token_urlsafe(32)),
            "created_by": "coopcis",
        },
    )
    return key


def pay_online(
    *,
    account: Account,
    amount: Decimal,
    tender: str,
    token: str,
    idempotency_key: str,
    received_on: date,
    now: datetime,
    gateway: PaymentGateway,
) -> OnlineOutcome:
    """Charge ``token`` for ``amount`` and post the payment to ``account``, once per
    ``idempotency_key`` (a second submit of the same form gets the first outcome).
    Refusals (over the channel's ceiling, a closed account) raise RuleViolation."""
    api_key = portal_channel_key()
    answer = submit_payment(
        api_key=api_key,
        idempotency_key=idempotency_key,
        submission=Submission(account.number, amount, tender, "", token),
        received_on=received_on,
        now=now,
        gateway=gateway,
    )
    if answer.status in (200, 201):
        payment = Payment.objects.get(pk=answer.body["id"])
        return OnlineOutcome(
            payment,
            authorization=str(answer.body.get("authorization", "")),
            first=answer.status == 201,
        )
    if answer.status == 402:
        return OnlineOutcome(None, declined=str(answer.body.get("decline_reason", "")))
    return OnlineOutcome(None, pending=True)


def record_gateway_charge(
    *, payment: Payment, gateway: PaymentGateway, authorization: str, tender: str, key: str
) -> None:
    """Keep a charge made outside the submission path (recurring card) findable by its
    authorization, so the processor's chargeback callback reverses its payment."""
    with transaction.atomic():
        PaymentRequest.objects.get_or_create(
            idempotency_key=key,
            defaults={
                "api_key": portal_channel_key(),
                "fingerprint": key,
                "state": RequestState.RECORDED,
                "gateway": gateway.name,
                "tender": tender,
                "authorization": authorization[:64],
                "payment": payment,
            },
        )
