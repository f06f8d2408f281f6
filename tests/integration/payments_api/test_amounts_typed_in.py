"""Amounts typed at the counter or sent by a front end go through the one money parser:
exponents, non-ASCII digits, sub-cent amounts and amounts no column holds are refused on
the field, never posted, never a 500; each channel's ceiling is refused, not posted."""

from __future__ import annotations

from decimal import Decimal

import pytest

from coopcis.apps.ledger.models import JournalEntry
from coopcis.apps.payments.models import CashierBatch, Payment, PaymentRequest
from coopcis.apps.payments.services import open_batch, receive_payment
from coopcis.core.errors import RuleViolation
from tests.integration.payments_api.test_api import body
from tests.integration.payments_api.test_cashier import field_errors, signed_in, take

pytestmark = pytest.mark.django_db

REFUSED = [
    ("1e3", "write the amount in full, without an exponent: '1e3'"),
    ("1E+2", "write the amount in full, without an exponent: '1E+2'"),
    ("1e309", "write the amount in full, without an exponent: '1e309'"),
    ("١٢", "use the digits 0-9: '١٢'"),
    ("10.001", "at most two decimals (whole cents): '10.001'"),
    ("10000000000.00", "more than the most this takes ($9,999,999,999.99)"),
    ("Infinity", "not an amount: 'Infinity'"),
]


@pytest.mark.parametrize(("sent", "message"), REFUSED)
def test_the_api_refuses_the_amount_on_its_field(billed, kiosk, sent, message):
    entries = JournalEntry.objects.count()

    response = kiosk.pay(body(billed.home, amount=sent))

    assert response.status_code == 400
    assert response.json() == {"errors": {"amount": [message]}}
    assert not Payment.objects.exists() and not PaymentRequest.objects.exists()
    assert JournalEntry.objects.count() == entries


def test_the_api_takes_no_thousands_separators(billed, kiosk):
    response = kiosk.pay(body(billed.home, amount="1,234.56"))

    assert response.status_code == 400
    assert response.json() == {"errors": {"amount": ["no thousands separators: '1,234.56'"]}}


def test_a_kiosk_takes_cash_up_to_its_ceiling_and_refuses_more(billed, kiosk):
    over = kiosk.pay(body(billed.home, amount="2000.01"), idempotency_key="over")
    at = kiosk.pay(body(billed.home, amount="2000.00"), idempotency_key="at")
    card = kiosk.pay(body(billed.home, amount="2000.01", tender="CARD"), idempotency_key="card")

    assert over.status_code == 400
    assert over.json() == {
        "errors": {"amount": ["more than the $2,000.00 that Kiosk takes in one payment by Cash"]}
    }
    assert at.status_code == 201
    assert card.status_code == 201  # the kiosk's ceiling for cards is $5,000.00
    assert sorted(Payment.objects.values_list("amount", flat=True)) == [
        Decimal("2000.00"),
        Decimal("2000.01"),
    ]


def test_every_way_in_checks_the_ceiling(billed):
    with pytest.raises(RuleViolation, match=r"\$10,000.00 that Office takes") as refused:
        receive_payment(
            account=billed.home,
            amount=Decimal("10000.01"),
            channel="OFFICE",
            tender="CASH",
            received_on=billed.home.opened_on,
        )
    assert refused.value.field == "amount"
    assert not Payment.objects.exists()


@pytest.mark.parametrize(("typed", "message"), REFUSED)
def test_the_cashier_form_refuses_the_amount_on_its_field(billed, typed, message):
    clerk = signed_in("finance")
    batch = open_batch(drawer="Tularosa", opened_on=billed.home.opened_on)

    page = take(clerk, batch, billed.home, typed)

    assert page.status_code == 200
    assert message.replace("'", "&#x27;") in field_errors(page.text, "amount")
    assert not Payment.objects.exists()


def test_the_cashier_form_takes_what_people_type_and_shows_it_as_money(billed):
    clerk = signed_in("finance")
    batch = open_batch(drawer="Tularosa", opened_on=billed.home.opened_on)

    saved = clerk.post(
        f"/cashier/{batch.pk}/pay/",
        {
            "account": billed.home.number,
            "amount": "$1,234.50",
            "tender": "CASH",
            "submission": "grouped",
            "take_overpayment": "on",  # more than the $183.89 owed: a credit, as agreed
        },
    )

    assert saved.status_code == 302
    assert Payment.objects.get().amount == Decimal("1234.50")
    page = clerk.get(f"/cashier/{batch.pk}/").text
    assert "$1,234.50" in page and "E+" not in page


def test_opening_cash_is_read_by_the_same_parser(billed):
    clerk = signed_in("finance")

    page = clerk.post("/cashier/open/", {"drawer": "Alto 1", "opening_cash": "1e3"})

    assert page.status_code == 200
    assert "without an exponent" in field_errors(page.text, "opening_cash")
    assert not CashierBatch.objects.exists()


def test_a_body_nested_too_deeply_is_a_400(kiosk):
    response = kiosk.pay("[" * 100_000)

    assert response.status_code == 400
    assert response.json() == {"errors": {"__all__": ["the body is nested too deeply"]}}


def test_the_cli_reads_amounts_with_the_same_parser(billed, capsys):
    from coopcis.cli import main

    code = main(["payments", "refund-credit", billed.home.number, "--amount", "1e3",
                 "--reason", "overpaid", "--on", "2026-11-02"])  # fmt: skip

    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err == (
        "coopcis payments: error: argument --amount: "
        "write the amount in full, without an exponent: '1e3'"
    )
