"""The member's bills-and-money pages: the first screen, a bill explained, its PDF, paying
once by card (receipt by email through a real SMTP server, the payment on the staff
account page), autopay, paperless billing and arrangement requests; never another
member's account."""

from __future__ import annotations

import re
import time
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from coopcis.apps.audit.models import AuditEvent
from coopcis.apps.billing.models import Bill
from coopcis.apps.collections.models import ArrangementRequest
from coopcis.apps.members.models import BankDraftMandate
from coopcis.apps.payments.ach.models import Prenote
from coopcis.apps.payments.models import Payment, RecurringCard
from coopcis.apps.portal.access import AUTH_AT
from tests.integration.portal.factories import member

pytestmark = pytest.mark.django_db
CARD = {"card_number": "4242 4242 4242 4242", "expiry": "12/30", "cvc": "123", "card_name": "Ana Garcia"}  # fmt: skip


@pytest.fixture
def ana(billed):
    """A member holding the home account (it owes $183.89 for October, due 30 October)."""
    billed.home.email = "ana@example.org"  # where the notifications write to
    billed.home.save()
    user = member("ana@example.org", billed.home)
    client = Client()
    client.force_login(user)
    return client


def key_of(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', html).group(1)


def test_the_first_screen_shows_what_is_owed_by_when_and_every_bill(billed, ana):
    home = billed.home
    bill = Bill.objects.get(account=home)

    html = ana.get(f"/portal/accounts/{home.number}/").text

    assert 'data-testid="amount-due">$183.89<' in html
    assert 'data-testid="balance">$183.89' in html
    assert "Oct. 30, 2026" in html or "October 30, 2026" in html
    assert f"/portal/accounts/{home.number}/bills/{bill.pk}/pdf/" in html
    pdf = ana.get(f"/portal/accounts/{home.number}/bills/{bill.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_another_members_account_and_bills_are_not_found(billed, ana):
    other = Bill.objects.get(account=billed.tou_home)
    own = billed.home.number
    for url in (
        f"/portal/accounts/{billed.tou_home.number}/",
        f"/portal/accounts/{billed.tou_home.number}/pay/",
        f"/portal/accounts/{own}/bills/{other.pk}/",
        f"/portal/accounts/{own}/bills/{other.pk}/pdf/",
    ):
        assert ana.get(url).status_code == 404, url


def test_the_bill_explains_each_line_from_its_clause(billed, ana):
    bill = Bill.objects.get(account=billed.home)

    html = ana.get(f"/portal/accounts/{billed.home.number}/bills/{bill.pk}/").text

    assert "1,000 kWh at $0.1371 a kWh." in html
    assert "CUSTOMER CHARGE $30.00" in html and "(seed" not in html
    assert "6.8125% of $172.16 of charges" in html
    assert "There is no bill of that month to compare with." in html


def test_pay_by_card_once_with_a_receipt_and_the_staff_page_shows_it(
    billed, ana, smtp_server, gateway, staff_client, django_capture_on_commit_callbacks
):
    number = billed.home.number
    form = ana.get(f"/portal/accounts/{number}/pay/").text
    assert (
        '<label for="id_amount">Amount' in form
        and '<label for="id_card_number">Card number' in form
    )
    key = key_of(form)
    data = {"amount": "$183.89", "idempotency_key": key, **CARD}

    with django_capture_on_commit_callbacks(execute=True):  # the receipt goes after commit
        first = ana.post(f"/portal/accounts/{number}/pay/", data)
        again = ana.post(f"/portal/accounts/{number}/pay/", data)

    payment = Payment.objects.get()
    assert first.status_code == again.status_code == 302
    assert (
        first["Location"]
        == again["Location"]
        == f"/portal/accounts/{number}/payments/{payment.pk}/"
    )
    assert (payment.channel, payment.tender, payment.amount) == (
        "ONLINE",
        "CARD",
        Decimal("183.89"),
    )
    assert gateway.charges_made == 1
    done = ana.get(first["Location"]).text
    assert 'data-testid="paid-amount">$183.89<' in done and 'data-testid="balance">$0.00<' in done
    [receipt] = smtp_server.wait_for(1)
    assert receipt["To"] == "ana@example.org" and "$183.89" in receipt["Subject"]
    assert f"for account {number}" in smtp_server.body(receipt)
    staff_page = staff_client("customer_service").get(f"/accounts/{number}/").text
    assert payment.reference in staff_page and "Online" in staff_page


def test_a_declined_card_says_so_posts_nothing_and_the_next_try_has_a_new_key(billed, ana, gateway):
    url = f"/portal/accounts/{billed.home.number}/pay/"
    key = key_of(ana.get(url).text)
    data = {"amount": "50.00", "idempotency_key": key, **CARD, "card_number": "4000000000000002"}

    response = ana.post(url, data)

    assert response.status_code == 200
    assert "Your payment was declined: card declined." in response.text
    assert key_of(response.text) != key and "4000000000000002" not in response.text
    assert not Payment.objects.exists()


def test_amounts_are_read_exactly_or_refused(billed, ana, gateway):
    url = f"/portal/accounts/{billed.home.number}/pay/"
    key = key_of(ana.get(url).text)
    for typed in ("1e3", "10.001", "-5"):
        response = ana.post(url, {"amount": typed, "idempotency_key": key, **CARD})
        assert response.status_code == 200 and 'id="id_amount_error"' in response.text, typed
    assert not Payment.objects.exists()


def confirm_recently(client: Client) -> None:
    session = client.session
    session[AUTH_AT] = time.time()
    session.save()


def test_bank_draft_needs_the_password_again_then_enrols_with_a_prenote(billed, ana):
    number = billed.home.number
    data = {
        "routing_number": "102000021", "bank_account_number": "12345678",
        "holder_name": "Ana Garcia", "bank_account_type": "CHECKING", "draft_day": "25",
    }  # fmt: skip
    asked = ana.post(f"/portal/accounts/{number}/autopay/bank-draft/", data)
    assert asked.status_code == 302 and asked["Location"].startswith("/portal/confirm/")
    assert not BankDraftMandate.objects.exists()

    confirm_recently(ana)
    done = ana.post(f"/portal/accounts/{number}/autopay/bank-draft/", data)

    assert done.status_code == 302
    mandate = BankDraftMandate.objects.get(account=billed.home)
    assert mandate.draft_day == 25 and mandate.active
    assert Prenote.objects.get(mandate=mandate).status == "PENDING"
    page = ana.get(f"/portal/accounts/{number}/autopay/").text
    assert "Bank draft on day 25 of the month from the account ending 5678." in page
    assert "12345678" not in page

    ana.post(f"/portal/accounts/{number}/autopay/stop/")
    mandate.refresh_from_db()
    assert not mandate.active


def test_card_autopay_stores_the_token_and_paperless_is_audited(billed, ana):
    number = billed.home.number
    confirm_recently(ana)
    ana.post(f"/portal/accounts/{number}/autopay/card/", CARD)
    card = RecurringCard.objects.get()
    assert card.last4 == "4242" and not card.token.startswith("4242")

    ana.post(f"/portal/accounts/{number}/paperless/", {"paperless": "on"})
    billed.home.refresh_from_db()
    assert billed.home.paperless and billed.home.autopay
    assert AuditEvent.objects.filter(
        account_id=billed.home.pk, reason="paperless billing chosen in the portal"
    ).exists()


def test_an_arrangement_request_gets_the_staff_answer(billed, ana, staff_client):
    url = f"/portal/accounts/{billed.home.number}/arrangement/"
    ana.post(url, {"amount_now": "40", "months": "3", "note": "hours cut"})
    request = ArrangementRequest.objects.get()
    assert "waiting for the co-op" in ana.get(url).text

    staff_client("customer_service").post(f"/work/arrangements/{request.pk}/approve/")

    page = ana.get(url).text
    assert "was approved" in page and "$47.97" in page  # 143.89 over 3: 47.96, 47.96, 47.97


def test_a_declined_arrangement_shows_the_reason(billed, ana, staff_client):
    url = f"/portal/accounts/{billed.home.number}/arrangement/"
    ana.post(url, {"amount_now": "0", "months": "2"})
    request = ArrangementRequest.objects.get()
    staff_client("manager").post(
        f"/work/arrangements/{request.pk}/decline/",
        {f"a{request.pk}-reason": "Please call us to talk it over."},
    )
    page = ana.get(url).text
    assert "was declined" in page and "Please call us to talk it over." in page
    assert request.requested_on <= date.today()


def test_pay_by_e_check_from_a_bank_account(billed, ana, gateway):
    url = f"/portal/accounts/{billed.home.number}/pay/?method=echeck"
    form = ana.get(url).text
    assert '<label for="id_routing_number">Routing number' in form
    data = {
        "amount": "100.00", "idempotency_key": key_of(form), "routing_number": "102000021",
        "bank_account_number": "12345678", "holder_name": "Ana Garcia",
    }  # fmt: skip

    response = ana.post(url, data)

    payment = Payment.objects.get()
    assert response.status_code == 302
    assert (payment.channel, payment.tender, payment.amount) == ("ONLINE", "ACH", Decimal("100.00"))
