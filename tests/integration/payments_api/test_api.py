"""The payments API: a kiosk payment posts once, to the ledger, and is answered the same
way every time it is repeated; bad input and bad keys are refused with the reason."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from coopcis.apps.ledger import reports
from coopcis.apps.ledger.models import JournalEntry
from coopcis.apps.ledger.services import member_balance
from coopcis.apps.members.models import AccountStatus
from coopcis.apps.payments.keys import revoke_api_key
from coopcis.apps.payments.models import ChannelApiKey, Payment, PaymentRequest
from tests.integration.payments_api.conftest import front_end

pytestmark = pytest.mark.django_db
D = Decimal


def body(account, amount="54.20", tender="CASH", **extra):
    return {"account": account.number, "amount": amount, "tender": tender, **extra}


def test_a_kiosk_cash_payment_posts_to_the_ledger_and_shows_the_balance_after(billed, kiosk):
    home = billed.home

    response = kiosk.pay(body(home, reference="receipt 88"), idempotency_key="t-0001")

    assert response.status_code == 201
    answer = response.json()
    payment = Payment.objects.get()
    assert answer == {
        "id": payment.pk,
        "account": home.number,
        "amount": "54.20",
        "applied": "54.20",
        "unapplied": "0.00",
        "balance_after": "129.69",  # 183.89 billed - 54.20
        "status": "POSTED",
        "channel": "KIOSK",
        "tender": "CASH",
        "reference": "receipt 88",
        "received_on": payment.received_on.isoformat(),
        "applied_to": [
            {
                "description": answer["applied_to"][0]["description"],
                "due_on": "2026-10-30",
                "amount": "54.20",
            }
        ],
    }
    assert member_balance(home) == D("129.69")
    lines = {line.gl_account_id: (line.debit_amount, line.credit_amount)
             for line in payment.journal_entry.lines.all()}  # fmt: skip
    assert lines == {"131": (D("54.20"), D("0")), "142.1": (D("0"), D("54.20"))}
    assert reports.trial_balance().balanced and reports.receivables_difference() == 0
    assert payment.taken_by == f"api:{kiosk.record.prefix} Tularosa Travel Center"
    assert payment.idempotency_key == f"api:{kiosk.record.prefix}:t-0001"
    kiosk.record.refresh_from_db()
    assert kiosk.record.last_used_at is not None


def test_a_repeat_gets_the_first_answer_and_posts_nothing(billed, kiosk):
    home = billed.home
    first = kiosk.pay(body(home), idempotency_key="t-0002")
    kiosk.pay(body(home, amount="10.00"), idempotency_key="t-0003")  # the balance moves on
    entries = JournalEntry.objects.count()

    again = kiosk.pay(body(home), idempotency_key="t-0002")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert again.json()["balance_after"] == "129.69"  # as answered first, not as now
    assert Payment.objects.count() == 2 and JournalEntry.objects.count() == entries
    assert member_balance(home) == D("119.69")


def test_the_same_key_with_other_content_is_a_409_and_nothing_posts(billed, kiosk):
    home = billed.home
    kiosk.pay(body(home), idempotency_key="t-0004")

    for changed in ({"amount": "54.21"}, {"tender": "CHECK"}, {"reference": "other"}):
        response = kiosk.pay(body(home) | changed, idempotency_key="t-0004")
        assert response.status_code == 409
        assert response.json() == {
            "error": "Idempotency-Key 't-0004' was used for a different payment"
        }
    other = kiosk.pay(body(billed.lights), idempotency_key="t-0004")
    assert other.status_code == 409
    assert Payment.objects.count() == 1 and member_balance(home) == D("129.69")


def test_keys_are_scoped_to_each_front_end(billed, kiosk):
    second_kiosk = front_end("KIOSK", "Alamogordo Walmart")

    one = kiosk.pay(body(billed.home), idempotency_key="1")
    two = second_kiosk.pay(body(billed.home), idempotency_key="1")

    assert (one.status_code, two.status_code) == (201, 201)
    assert one.json()["id"] != two.json()["id"]
    assert member_balance(billed.home) == D("75.49")


@pytest.mark.parametrize(
    ("sent", "field", "message"),
    [
        ({"amount": 54.2}, "amount", 'send money as a string, e.g. "54.20", not a JSON number'),
        ({"amount": 54}, "amount", 'send money as a string, e.g. "54.20", not a JSON number'),
        ({"amount": "0.00"}, "amount", "the amount must be more than zero, in whole cents"),
        ({"amount": "-5.00"}, "amount", "must not be negative: '-5.00'"),
        ({"amount": "1.005"}, "amount", "at most two decimals (whole cents): '1.005'"),
        ({"amount": "lots"}, "amount", "not an amount: 'lots'"),
        ({"amount": "NaN"}, "amount", "not an amount: 'NaN'"),
        ({"amount": None}, "amount", 'required, as a string of dollars and cents, e.g. "54.20"'),
        ({"account": "9999999"}, "account", "no such account"),
        ({"account": ""}, "account", "required: the account number"),
        ({"account": 1000123}, "account", "must be text (a JSON string)"),
        (
            {"tender": "BITCOIN"},
            "tender",
            "not one of CASH, CHECK, MONEY_ORDER, CASHIERS_CHECK, CARD, ACH: 'BITCOIN'",
        ),
        ({"tender": "ACH"}, "tender", "Kiosk does not take ACH / e-check"),
        ({"tender": "MONEY_ORDER"}, "tender", "Kiosk does not take Money order"),
        ({"memo": "hi"}, "memo", "unknown field; known: account, amount, tender, reference, token"),
        ({"reference": "x" * 81}, "reference", "at most 80 characters"),
        ({"token": ""}, "token", "must not be empty"),
        ({"token": "tok_approve"}, "tender", "a token pays by card (CARD) or e-check (ACH)"),
    ],
)
def test_bad_input_is_a_400_on_the_field_and_writes_nothing(billed, kiosk, sent, field, message):
    entries = JournalEntry.objects.count()
    request = {k: v for k, v in (body(billed.home) | sent).items() if v is not None}

    response = kiosk.pay(request)

    assert response.status_code == 400
    assert response.json() == {"errors": {field: [message]}}
    assert not Payment.objects.exists() and not PaymentRequest.objects.exists()
    assert JournalEntry.objects.count() == entries


def test_several_problems_are_reported_together(billed, kiosk):
    response = kiosk.pay({"account": 7, "amount": 1.5, "tender": "GOLD"})

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"account", "amount", "tender"}


def test_a_closed_account_takes_no_payment(billed, portal):
    home = billed.home
    home.status, home.closed_on = AccountStatus.CLOSED, date(2026, 10, 20)
    home.save()

    response = portal.pay(body(home, tender="CARD", reference="auth 1"))

    assert response.status_code == 400
    assert response.json() == {"errors": {"account": [f"account {home.number} is closed"]}}
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{not json", "the body is not valid JSON"),
        ("", "the body is not valid JSON"),
        ('["1000123", "54.20"]', "the body must be a JSON object"),
    ],
)
def test_malformed_bodies_are_a_400(billed, kiosk, raw, message):
    response = kiosk.pay(raw)

    assert response.status_code == 400
    assert response.json() == {"errors": {"__all__": [message]}}


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (None, "send an Idempotency-Key header (a new one for each payment)"),
        ("x" * 81, "at most 80 printable ASCII characters"),
        ("clé-1", "at most 80 printable ASCII characters"),
    ],
)
def test_every_payment_needs_a_usable_idempotency_key(billed, kiosk, key, message):
    response = kiosk.pay(body(billed.home), idempotency_key=key)

    assert response.status_code == 400
    assert response.json() == {"errors": {"idempotency_key": [message]}}
    assert not Payment.objects.exists()


def test_requests_without_a_valid_key_are_401(billed, kiosk):
    home = billed.home
    wrong_secret = kiosk.key[:-4] + ("AAAA" if not kiosk.key.endswith("AAAA") else "BBBB")
    attempts = {
        "no header": {},
        "basic auth": {"Authorization": "Basic dXNlcjpwYXNz"},
        "unknown key": {"Authorization": "Bearer cpk_000000000000_nothing"},
        "wrong secret": {"Authorization": f"Bearer {wrong_secret}"},
        "not a key": {"Authorization": "Bearer hello"},
    }
    for name, headers in attempts.items():
        response = kiosk.client.post(
            "/api/v1/payments",
            data=body(home),
            content_type="application/json",
            headers={"Idempotency-Key": name, **headers},
        )
        assert response.status_code == 401, name
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert "error" in response.json()
    assert kiosk.client.get(f"/api/v1/payments/accounts/{home.number}/balance").status_code == 401

    revoke_api_key(prefix=kiosk.record.prefix)
    assert kiosk.pay(body(home)).status_code == 401
    assert kiosk.balance(home.number).status_code == 401
    assert not Payment.objects.exists()
    assert ChannelApiKey.objects.get().active is False


def test_balance_for_kiosks_and_the_ivr(billed, ivr, kiosk):
    home = billed.home

    owed = ivr.balance(home.number)
    kiosk.pay(body(home, amount="200.00"))
    credit = ivr.balance(home.number)

    assert owed.status_code == 200
    assert owed.json() == {
        "account": home.number,
        "status": "ACTIVE",
        "balance": "183.89",
        "amount_due": "183.89",
        "due_date": "2026-10-30",
    }
    assert credit.json()["balance"] == "-16.11" and credit.json()["amount_due"] == "0.00"


def test_an_unknown_account_is_a_400_never_a_404(billed, ivr):
    response = ivr.balance("9999999")

    assert response.status_code == 400
    assert response.json() == {"errors": {"account": ["no such account"]}}


def test_an_account_without_bills_has_no_due_date(small_coop, ivr):
    response = ivr.balance(small_coop.home.number)

    assert response.json()["balance"] == "0.00" and response.json()["due_date"] is None
