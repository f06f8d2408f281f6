"""The processor simulator behaves like a processor: decided by token, idempotent by key,
callbacks signed and delivered more than once. No database."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from coopcis.apps.payments.gateway import (
    BadCallback,
    BadSignature,
    CallbackEvent,
    CallbackKind,
    GatewayMismatch,
    Outcome,
    PaymentGateway,
)
from coopcis.apps.payments.gateway.simulator import SimulatorGateway
from coopcis.core.money import Money

TEN = Money("10.00")


@pytest.fixture
def simulator() -> SimulatorGateway:
    return SimulatorGateway(secret="shared-secret")


def test_it_is_a_payment_gateway(simulator):
    assert isinstance(simulator, PaymentGateway)


def test_approve_gives_a_fresh_authorization_per_charge(simulator):
    first = simulator.charge(token="tok_approve", amount=TEN, idempotency_key="a")
    second = simulator.charge(token="tok_approve", amount=TEN, idempotency_key="b")

    assert first.outcome is second.outcome is Outcome.APPROVED
    assert first.authorization != second.authorization
    assert simulator.charges_made == 2


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        ("tok_decline_insufficient", "insufficient funds"),
        ("tok_decline_expired", "card expired"),
        ("tok_decline_velocity", "declined (velocity)"),
        ("tok_garbage", "invalid or expired token"),
    ],
)
def test_declines_say_why_and_charge_nothing(simulator, token, reason):
    result = simulator.charge(token=token, amount=TEN, idempotency_key="k")

    assert result.outcome is Outcome.DECLINED and result.decline_reason == reason
    assert not result.approved and result.authorization == ""
    assert simulator.charges_made == 0


def test_a_timeout_hides_a_charge_that_a_retry_finds(simulator):
    lost = simulator.charge(token="tok_timeout", amount=TEN, idempotency_key="t")
    found = simulator.charge(token="tok_timeout", amount=TEN, idempotency_key="t")
    again = simulator.charge(token="tok_timeout", amount=TEN, idempotency_key="t")

    assert lost.outcome is Outcome.TIMEOUT
    assert found.outcome is Outcome.APPROVED and found == again
    assert simulator.charges_made == 1


def test_a_key_used_for_another_charge_is_refused(simulator):
    simulator.charge(token="tok_approve", amount=TEN, idempotency_key="k")

    with pytest.raises(GatewayMismatch):
        simulator.charge(token="tok_approve", amount=Money("10.01"), idempotency_key="k")
    with pytest.raises(GatewayMismatch):
        simulator.charge(token="tok_approve_other", amount=TEN, idempotency_key="k")
    assert simulator.charges_made == 1


def test_echecks_call_back_twice_with_settlement_or_return(simulator):
    settles = simulator.charge(token="tok_echeck_settles", amount=TEN, idempotency_key="e1")
    returns = simulator.charge(token="tok_echeck_returns_R02", amount=TEN, idempotency_key="e2")
    simulator.charge(token="tok_approve", amount=TEN, idempotency_key="card")  # no callback
    sent: list[tuple[bytes, dict[str, str]]] = []

    assert simulator.deliver_callbacks(lambda body, headers: sent.append((body, headers))) == 2
    assert simulator.deliver_callbacks(lambda body, headers: sent.append((body, headers))) == 0

    events = [
        replace(simulator.handle_callback(body=body, headers=headers), sent_at=None)
        for body, headers in sent
    ]
    assert all(int(headers["X-Gateway-Timestamp"]) > 0 for _, headers in sent)
    assert events == [
        CallbackEvent(f"evt_{settles.authorization}", CallbackKind.SETTLED, settles.authorization),
        CallbackEvent(f"evt_{settles.authorization}", CallbackKind.SETTLED, settles.authorization),
        CallbackEvent(f"evt_{returns.authorization}", CallbackKind.RETURNED,
                      returns.authorization, "R02", "account closed"),
        CallbackEvent(f"evt_{returns.authorization}", CallbackKind.RETURNED,
                      returns.authorization, "R02", "account closed"),
    ]  # fmt: skip


def test_callbacks_are_checked_against_the_shared_secret(simulator):
    sent_at = datetime(2026, 11, 2, 15, 4, 5, tzinfo=UTC)
    event = CallbackEvent("evt_1", CallbackKind.SETTLED, "SIM100001", sent_at=sent_at)
    body, headers = simulator.signed_callback(event)
    impostor = SimulatorGateway(secret="guessed")
    _, forged_headers = impostor.signed_callback(event)
    lower = {name.lower(): value for name, value in headers.items()}

    assert headers["X-Gateway-Timestamp"] == str(int(sent_at.timestamp()))
    assert simulator.handle_callback(body=body, headers=lower) == event
    later = {**headers, "X-Gateway-Timestamp": str(int(sent_at.timestamp()) + 600)}
    with pytest.raises(BadSignature):  # the time is signed: it cannot be moved
        simulator.handle_callback(body=body, headers=later)
    with pytest.raises(BadSignature):
        simulator.handle_callback(body=body, headers=forged_headers)
    with pytest.raises(BadSignature):
        simulator.handle_callback(body=body + b" ", headers=headers)
    with pytest.raises(BadSignature):
        simulator.handle_callback(body=body, headers={})


@pytest.mark.parametrize(
    "payload",
    [b"not json", b"[1]", json.dumps({"id": "e", "type": "card.refund", "authorization": "A"})],
)
def test_signed_nonsense_is_a_bad_callback(simulator, payload):
    body = payload if isinstance(payload, bytes) else payload.encode()

    stamp = "1793000000"
    headers = {"X-Gateway-Signature": simulator.sign(body, stamp), "X-Gateway-Timestamp": stamp}
    with pytest.raises(BadCallback):
        simulator.handle_callback(body=body, headers=headers)


def test_a_chargeback_is_a_card_event(simulator):
    card = simulator.charge(token="tok_approve", amount=TEN, idempotency_key="c")
    simulator.charge_back(card.authorization, code="4837", reason="no cardholder authorization")
    sent: list[tuple[bytes, dict[str, str]]] = []

    simulator.deliver_callbacks(lambda body, headers: sent.append((body, headers)), times=1)

    ((body, headers),) = sent
    assert json.loads(body)["type"] == "card.chargeback"
    event = simulator.handle_callback(body=body, headers=headers)
    assert (event.kind, event.authorization, event.return_code) == (
        CallbackKind.CHARGEBACK,
        card.authorization,
        "4837",
    )


@pytest.mark.parametrize(
    ("number", "outcome", "reason"),
    [
        ("4242424242424242", Outcome.APPROVED, ""),
        ("4242 4242 4242 4242", Outcome.APPROVED, ""),
        ("4000000000000002", Outcome.DECLINED, "card declined"),
        ("4000000000009995", Outcome.DECLINED, "insufficient funds"),
        ("4111111111111111", Outcome.DECLINED, "card number not known to the test processor"),
    ],
)
def test_processors_test_cards(simulator, number, outcome, reason):
    token = simulator.tokenize_card(
        number=number, expiry_month=1, expiry_year=2030, cvc="123", name="Ana"
    )
    result = simulator.charge(token=token.token, amount=TEN, idempotency_key=number)

    assert (result.outcome, result.decline_reason) == (outcome, reason)
    assert token.last4 == number[-4:] and number.replace(" ", "") not in token.token


def test_a_bank_account_becomes_an_e_check_that_settles_or_returns(simulator):
    settles = simulator.tokenize_bank_account(
        routing_number="102000021", account_number="12345678", holder_name="Ana"
    )
    returns = simulator.tokenize_bank_account(
        routing_number="102000021", account_number="1234R01", holder_name="Ana"
    )
    assert (settles.token, returns.token) == ("tok_echeck_settles", "tok_echeck_returns_R01")
