"""A member pays once by card or e-check: through the gateway, once per form, under the
online channel's ceiling, posted as every other payment."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from coopcis.apps.ledger.services import member_balance
from coopcis.apps.payments.gateway import CardRefused
from coopcis.apps.payments.models import Payment, PaymentRequest
from coopcis.apps.payments.online import pay_online
from coopcis.core.errors import RuleViolation

pytestmark = pytest.mark.django_db
DAY = date(2026, 10, 20)


def card(gateway, number: str):
    return gateway.tokenize_card(
        number=number, expiry_month=12, expiry_year=2030, cvc="123", name="Ana Garcia"
    )


def pay(gateway, account, amount: str, token: str, key: str, tender: str = "CARD"):
    return pay_online(
        account=account,
        amount=Decimal(amount),
        tender=tender,
        token=token,
        idempotency_key=key,
        received_on=DAY,
        now=timezone.now(),
        gateway=gateway,
    )


def test_the_test_card_pays_once_however_often_the_form_is_sent(billed, gateway):
    home = billed.home
    token = card(gateway, "4242 4242 4242 4242")
    assert token.last4 == "4242" and "4242424242424242" not in token.token

    first = pay(gateway, home, "183.89", token.token, "form-1")
    again = pay(gateway, home, "183.89", token.token, "form-1")

    assert first.approved and again.payment == first.payment
    payment = first.payment
    assert (payment.channel, payment.tender, payment.amount) == (
        "ONLINE",
        "CARD",
        Decimal("183.89"),
    )
    assert payment.status == "POSTED" and payment.reference.startswith("SIM")
    assert Payment.objects.filter(account=home).count() == 1
    assert gateway.charges_made == 1
    assert member_balance(home) == Decimal("0.00")


def test_the_declining_test_card_is_declined_and_nothing_posts(billed, gateway):
    outcome = pay(gateway, billed.home, "50.00", card(gateway, "4000000000000002").token, "f")

    assert not outcome.approved and outcome.declined == "card declined"
    assert not Payment.objects.exists()
    assert PaymentRequest.objects.get().state == "DECLINED"


def test_an_e_check_posts_as_ach(billed, gateway):
    token = gateway.tokenize_bank_account(
        routing_number="102000021", account_number="12345678", holder_name="Ana"
    )
    outcome = pay(gateway, billed.home, "20.00", token.token, "e-1", tender="ACH")

    assert outcome.payment.tender == "ACH" and outcome.payment.amount == Decimal("20.00")


def test_more_than_the_online_ceiling_is_refused_before_the_card_is_charged(billed, gateway):
    # the OCEC profile's ONLINE ceiling is $50,000.00
    with pytest.raises(RuleViolation) as refused:
        pay(gateway, billed.home, "50000.01", card(gateway, "4242424242424242").token, "big")

    assert refused.value.field == "amount"
    assert gateway.charges_made == 0


def test_numbers_that_are_no_card_are_refused_by_field(gateway):
    with pytest.raises(CardRefused) as refused:
        card(gateway, "4242424242424241")  # Luhn check fails
    assert refused.value.field == "card_number"
