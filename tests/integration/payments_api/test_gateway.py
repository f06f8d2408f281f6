"""Card and e-check payments through the processor (the simulator): approved ones post,
declined ones post nothing, a timeout is retried with the same key and charged once, and
the processor's e-check callbacks apply once however often they arrive."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from coopcis.apps.ledger import reports
from coopcis.apps.ledger.models import JournalEntry
from coopcis.apps.ledger.services import member_balance
from coopcis.apps.payments.models import (
    Payment,
    PaymentRequest,
    PaymentStatus,
    RequestState,
    Settlement,
)
from coopcis.apps.payments.submissions import Submission, scoped_key
from coopcis.apps.receivables.models import ItemStatus, ReceivableItem

pytestmark = pytest.mark.django_db
D = Decimal
CALLBACK = "/api/v1/payments/gateway/callback"


def card(account, token, amount="183.89", tender="CARD"):
    return {"account": account.number, "amount": amount, "tender": tender, "token": token}


def deliver(client):
    answers = []

    def send(body, headers):
        response = client.post(
            CALLBACK, data=body, content_type="application/json", headers=headers
        )
        answers.append((response.status_code, response.json()))

    return answers, send


def test_an_approved_card_payment_posts_with_the_authorization(billed, portal, gateway):
    response = portal.pay(card(billed.home, "tok_approve"), idempotency_key="web-1")

    assert response.status_code == 201
    answer = response.json()
    assert (
        answer["authorization"].startswith("SIM") and answer["reference"] == answer["authorization"]
    )
    assert answer["balance_after"] == "0.00" and answer["status"] == "POSTED"
    payment = Payment.objects.get()
    assert (
        payment.source == f"gateway simulator {answer['authorization']}, api {portal.record.prefix}"
    )
    assert gateway.charges_made == 1
    assert ReceivableItem.objects.get(bill__account=billed.home).status == ItemStatus.PAID
    assert reports.trial_balance().balanced


def test_a_declined_card_is_a_402_and_nothing_reaches_the_ledger(billed, portal, gateway):
    entries = JournalEntry.objects.count()

    first = portal.pay(card(billed.home, "tok_decline_insufficient"), idempotency_key="web-2")
    again = portal.pay(card(billed.home, "tok_decline_insufficient"), idempotency_key="web-2")

    assert first.status_code == again.status_code == 402
    assert (
        first.json()
        == again.json()
        == {
            "error": "declined: insufficient funds",
            "decline_reason": "insufficient funds",
        }
    )
    assert not Payment.objects.exists() and JournalEntry.objects.count() == entries
    assert PaymentRequest.objects.get().state == RequestState.DECLINED
    assert gateway.charges_made == 0 and member_balance(billed.home) == D("183.89")


def test_a_timeout_then_a_retry_with_the_same_key_charges_once(billed, ivr, gateway):
    timed_out = ivr.pay(card(billed.home, "tok_timeout"), idempotency_key="ivr-9")

    assert timed_out.status_code == 504
    assert "retry with the same Idempotency-Key" in timed_out.json()["error"]
    assert timed_out["Retry-After"] == "2"
    assert not Payment.objects.exists()
    assert PaymentRequest.objects.get().state == RequestState.TIMED_OUT

    retried = ivr.pay(card(billed.home, "tok_timeout"), idempotency_key="ivr-9")
    repeated = ivr.pay(card(billed.home, "tok_timeout"), idempotency_key="ivr-9")

    assert (retried.status_code, repeated.status_code) == (201, 200)
    assert retried.json() == repeated.json()
    assert gateway.charges_made == 1
    assert Payment.objects.count() == 1 and member_balance(billed.home) == D("0.00")


def test_a_retry_after_a_timeout_with_other_content_is_refused(billed, ivr, gateway):
    ivr.pay(card(billed.home, "tok_timeout"), idempotency_key="ivr-10")

    response = ivr.pay(card(billed.home, "tok_timeout", amount="10.00"), idempotency_key="ivr-10")

    assert response.status_code == 409 and not Payment.objects.exists()


def test_a_request_in_progress_answers_409_until_its_worker_is_presumed_lost(
    billed, portal, gateway
):
    home = billed.home
    submission = Submission(home.number, D("183.89"), "CARD", token="tok_approve")
    started = timezone.now()
    PaymentRequest.objects.create(
        api_key=portal.record,
        idempotency_key=scoped_key(portal.record, "web-3"),
        fingerprint=submission.fingerprint(),
        state=RequestState.PENDING,
        attempted_at=started,
        gateway="simulator",
    )

    busy = portal.pay(card(home, "tok_approve"), idempotency_key="web-3")
    assert busy.status_code == 409 and "still being processed" in busy.json()["error"]
    assert gateway.charges_made == 0

    PaymentRequest.objects.update(attempted_at=started - timedelta(minutes=3))
    taken_over = portal.pay(card(home, "tok_approve"), idempotency_key="web-3")
    assert taken_over.status_code == 201 and gateway.charges_made == 1


def test_a_token_for_a_closed_or_unknown_account_is_never_charged(billed, portal, gateway):
    response = portal.pay({**card(billed.home, "tok_approve"), "account": "0000000"})

    assert response.status_code == 400
    assert gateway.charges_made == 0 and not PaymentRequest.objects.exists()


def test_an_echeck_that_settles_is_applied_once_from_duplicate_callbacks(
    billed, ivr, gateway, client
):
    response = ivr.pay(card(billed.home, "tok_echeck_settles", tender="ACH"), idempotency_key="e-1")
    assert response.status_code == 201
    answers, send = deliver(client)

    assert gateway.deliver_callbacks(send) == 1

    assert [status for status, _ in answers] == [200, 409]
    assert answers[0][1]["applied"] is True
    assert answers[1][1] == {
        "error": f"event 'evt_{response.json()['authorization']}' was already received"
    }
    request = PaymentRequest.objects.get()
    assert request.settlement == Settlement.SETTLED and request.settled_at is not None
    assert Payment.objects.get().status == PaymentStatus.POSTED
    assert member_balance(billed.home) == D("0.00")


def test_a_returned_echeck_reverses_the_payment_once(billed, ivr, gateway, client):
    ivr.pay(card(billed.home, "tok_echeck_returns_R01", tender="ACH"), idempotency_key="e-2")
    assert member_balance(billed.home) == D("0.00")
    entries = JournalEntry.objects.count()
    answers, send = deliver(client)

    gateway.deliver_callbacks(send)

    assert [status for status, _ in answers] == [200, 409]
    assert answers[0][1]["detail"] == "returned"
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.REVERSED and payment.return_code == "R01"
    assert payment.reversal_reason == "e-check returned R01: insufficient funds"
    assert JournalEntry.objects.count() == entries + 1  # one reversal, not two
    assert member_balance(billed.home) == D("183.89")
    assert ReceivableItem.objects.get(bill__account=billed.home).status == ItemStatus.OPEN
    assert reports.trial_balance().balanced and reports.receivables_difference() == 0
    assert PaymentRequest.objects.get().settlement == Settlement.RETURNED


def test_a_callback_with_a_bad_signature_is_403_and_changes_nothing(billed, ivr, gateway, client):
    ivr.pay(card(billed.home, "tok_echeck_returns_R01", tender="ACH"), idempotency_key="e-3")
    forged = []
    gateway.deliver_callbacks(lambda body, headers: forged.append((body, headers)), times=1)
    ((body, headers),) = forged

    tampered = client.post(
        CALLBACK,
        data=body.replace(b"R01", b"R02"),
        content_type="application/json",
        headers=headers,
    )
    unsigned = client.post(CALLBACK, data=body, content_type="application/json")
    retimed = client.post(
        CALLBACK,
        data=body,
        content_type="application/json",
        headers={**headers, "X-Gateway-Timestamp": str(int(headers["X-Gateway-Timestamp"]) + 1)},
    )
    wrong_key = client.post(
        CALLBACK,
        data=body,
        content_type="application/json",
        headers={"X-Gateway-Signature": "sha256=" + "0" * 64},
    )

    assert [r.status_code for r in (tampered, unsigned, retimed, wrong_key)] == [403] * 4
    assert Payment.objects.get().status == PaymentStatus.POSTED
    assert PaymentRequest.objects.get().settlement == Settlement.NONE


def test_a_signed_callback_for_an_unknown_charge_is_404_and_garbage_is_400(gateway, client, db):
    from coopcis.apps.payments.gateway import CallbackEvent, CallbackKind

    body, headers = gateway.signed_callback(
        CallbackEvent("evt_x", CallbackKind.SETTLED, "SIM999999")
    )
    unknown = client.post(CALLBACK, data=body, content_type="application/json", headers=headers)
    garbage = b'{"id": "evt_y"}'
    stamp = str(int(timezone.now().timestamp()))
    malformed = client.post(
        CALLBACK,
        data=garbage,
        content_type="application/json",
        headers={"X-Gateway-Signature": gateway.sign(garbage, stamp), "X-Gateway-Timestamp": stamp},
    )

    assert unknown.status_code == 404
    assert unknown.json() == {"error": "no charge with authorization 'SIM999999'"}
    assert malformed.status_code == 400
