"""The forged payment callbacks of the security review, each refused.

With the old default settings the callback secret was an HMAC of the public development
key, so anyone could sign a "returned" event that reversed a member's card payment. Now
the secret is its own setting; a callback carries its signing time and an event id, one
older than five minutes or seen before is refused; a return applies only to an e-check,
and a card payment is reversed only by a chargeback."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from coopcis.apps.ledger import reports
from coopcis.apps.ledger.models import JournalEntry
from coopcis.apps.ledger.services import member_balance
from coopcis.apps.payments.gateway import CallbackEvent, CallbackKind
from coopcis.apps.payments.models import GatewayEvent, Payment, PaymentStatus, Settlement

pytestmark = pytest.mark.django_db
CALLBACK = "/api/v1/payments/gateway/callback"
PUBLIC_DEVELOPMENT_KEY = "coopcis-local-development-key-change-me"


def pay(front_end, account, token, tender):
    response = front_end.pay(
        {"account": account.number, "amount": "183.89", "tender": tender, "token": token},
        idempotency_key=f"{token}-{tender}",
    )
    assert response.status_code == 201
    return response.json()["authorization"]


def post(client, body, headers):
    return client.post(CALLBACK, data=body, content_type="application/json", headers=headers)


def returned(authorization, event_id="evt_forged"):
    return CallbackEvent(
        event_id, CallbackKind.RETURNED, authorization, "R01", "insufficient funds"
    )


def signed_with(secret: str, body: bytes, stamp: str) -> str:
    return (
        "sha256="
        + hmac.new(secret.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    )


def assert_untouched(account, entries):
    assert Payment.objects.get().status == PaymentStatus.POSTED
    assert JournalEntry.objects.count() == entries
    assert member_balance(account) == Decimal("0.00")


def test_a_callback_signed_with_a_secret_derived_from_the_public_key_is_refused(
    billed, portal, gateway, client
):
    authorization = pay(portal, billed.home, "tok_approve", "CARD")
    entries = JournalEntry.objects.count()
    body, headers = gateway.signed_callback(returned(authorization))
    stamp = headers["X-Gateway-Timestamp"]
    derived = [
        hmac.new(key.encode(), b"coopcis-gateway-callback", hashlib.sha256).hexdigest()
        for key in (PUBLIC_DEVELOPMENT_KEY, settings.SECRET_KEY)
    ]

    answers = [
        post(
            client,
            body,
            {"X-Gateway-Timestamp": stamp, "X-Gateway-Signature": signed_with(secret, body, stamp)},
        )
        for secret in [*derived, PUBLIC_DEVELOPMENT_KEY, settings.SECRET_KEY]
    ]

    assert [answer.status_code for answer in answers] == [403] * 4
    assert settings.COOPCIS_GATEWAY_SECRET not in (*derived, settings.SECRET_KEY)
    assert PUBLIC_DEVELOPMENT_KEY not in (settings.SECRET_KEY, settings.COOPCIS_GATEWAY_SECRET)
    assert_untouched(billed.home, entries)


def test_a_returned_event_cannot_reverse_a_card_payment(billed, portal, gateway, client):
    authorization = pay(portal, billed.home, "tok_approve", "CARD")
    entries = JournalEntry.objects.count()

    # even signed by the processor itself, a return is not a card event
    response = post(client, *gateway.signed_callback(returned(authorization)))

    assert response.status_code == 422
    assert response.json() == {
        "error": "a returned event applies to ACH payments, not to this CARD payment"
    }
    assert_untouched(billed.home, entries)
    assert not GatewayEvent.objects.exists()


def test_a_card_payment_is_reversed_only_by_a_chargeback_once(billed, portal, gateway, client):
    authorization = pay(portal, billed.home, "tok_approve", "CARD")
    entries = JournalEntry.objects.count()
    gateway.charge_back(authorization, code="10.4", reason="fraud: card absent")
    answers = []

    gateway.deliver_callbacks(lambda body, headers: answers.append(post(client, body, headers)))

    assert [answer.status_code for answer in answers] == [200, 409]
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.REVERSED
    assert payment.reversal_reason == "card charged back 10.4: fraud: card absent"
    assert JournalEntry.objects.count() == entries + 1
    assert member_balance(billed.home) == Decimal("183.89")
    assert payment.api_request.settlement == Settlement.CHARGEBACK
    assert reports.trial_balance().balanced


def test_a_chargeback_does_not_apply_to_an_echeck(billed, ivr, gateway, client):
    authorization = pay(ivr, billed.home, "tok_echeck_settles", "ACH")
    entries = JournalEntry.objects.count()
    chargeback = CallbackEvent("evt_cb", CallbackKind.CHARGEBACK, authorization, "10.4")

    response = post(client, *gateway.signed_callback(chargeback))

    assert response.status_code == 422
    assert_untouched(billed.home, entries)


def test_a_callback_signed_more_than_five_minutes_ago_is_refused(billed, ivr, gateway, client):
    authorization = pay(ivr, billed.home, "tok_echeck_returns_R01", "ACH")
    entries = JournalEntry.objects.count()
    now = timezone.now()
    late = gateway.signed_callback(
        returned(authorization), sent_at=now - timedelta(minutes=5, seconds=5)
    )
    early = gateway.signed_callback(returned(authorization), sent_at=now + timedelta(minutes=6))
    in_time = gateway.signed_callback(returned(authorization), sent_at=now - timedelta(minutes=4))

    answers = [post(client, *late), post(client, *early)]

    assert [answer.status_code for answer in answers] == [400, 400]
    assert "not signed within the last 5 minutes" in answers[0].json()["error"]
    assert_untouched(billed.home, entries)
    assert post(client, *in_time).status_code == 200  # the same event, in time: applied
    assert Payment.objects.get().status == PaymentStatus.REVERSED


def test_a_captured_callback_posted_again_is_refused(billed, ivr, gateway, client):
    authorization = pay(ivr, billed.home, "tok_echeck_returns_R01", "ACH")
    captured = gateway.signed_callback(returned(authorization, event_id="evt_1"))
    assert post(client, *captured).status_code == 200
    entries = JournalEntry.objects.count()

    replayed = post(client, *captured)

    assert replayed.status_code == 409
    assert replayed.json() == {"error": "event 'evt_1' was already received"}
    assert JournalEntry.objects.count() == entries
    assert GatewayEvent.objects.count() == 1


def test_a_callback_without_its_timestamp_or_event_id_is_refused(billed, ivr, gateway, client):
    authorization = pay(ivr, billed.home, "tok_echeck_returns_R01", "ACH")
    entries = JournalEntry.objects.count()
    body, headers = gateway.signed_callback(returned(authorization))
    no_id = json.dumps({**json.loads(body), "id": ""}).encode()
    stamp = headers["X-Gateway-Timestamp"]

    without_stamp = post(client, body, {"X-Gateway-Signature": headers["X-Gateway-Signature"]})
    without_id = post(
        client,
        no_id,
        {"X-Gateway-Timestamp": stamp, "X-Gateway-Signature": gateway.sign(no_id, stamp)},
    )

    assert without_stamp.status_code == 403
    assert without_id.status_code == 400
    assert_untouched(billed.home, entries)
