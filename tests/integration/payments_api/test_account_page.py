"""The account page shows the member's balance, open charges and payments, in a fixed
number of queries however many payments there are."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from coopcis.apps.payments.services import open_batch, receive_payment, reverse_payment
from tests.integration.backoffice.factories import staff_user
from tests.integration.backoffice.test_account_page import ACCOUNT_PAGE_QUERIES

pytestmark = pytest.mark.django_db
D = Decimal


def section(html: str, section_id: str) -> str:
    return html.split(f'id="{section_id}"')[1].split("</section>")[0]


@pytest.fixture
def clerk(client, db):
    client.force_login(staff_user("read_only"))
    return client


def pay(account, amount, **options):
    defaults = {"channel": "MAIL", "tender": "CHECK", "received_on": date(2026, 10, 20)}
    return receive_payment(account=account, amount=D(amount), **(defaults | options)).payment


def test_balance_open_charges_and_payments_with_what_they_paid(billed, clerk):
    home = billed.home
    pay(home, "100.00", reference="chk 1042")
    returned = pay(home, "20.00", channel="IVR", tender="ACH", reference="SIM100009")
    reverse_payment(payment=returned, on=date(2026, 10, 24), reason="R01", return_code="R01")
    batch = open_batch(drawer="Cloudcroft 1", opened_on=date(2026, 10, 25))
    pay(home, "5.00", channel="OFFICE", tender="CASH", cashier_batch=batch)

    html = clerk.get(f"/accounts/{home.number}/").text
    money = section(html, "balance")

    assert 'data-testid="balance-amount">$83.89<' in money  # 183.89 billed - 100.00; cash pending
    charges = money.split('id="open-charges"')[1].split("</table>")[0]
    assert "2026-10-30" in charges and "$183.89" in charges and "$83.89" in charges
    rows = money.split('id="payments"')[1].split("</table>")[0].split("<tr>")[2:]
    assert len(rows) == 3
    office, ivr, mail = rows
    assert "Office" in office and "Cash" in office and "$5.00" in office
    assert "In an open cashier batch" in office and "Credit" not in office
    assert "Phone (IVR)" in ivr and "SIM100009" in ivr and "Reversed" in ivr and "(R01)" in ivr
    assert "2026-10-20" in mail and "Mail" in mail and "Check" in mail and "chk 1042" in mail
    assert "$100.00</div>" in mail and "Posted" in mail  # applied to the bill
    assert "Take a payment" not in html  # read-only


def test_a_credit_balance_reads_as_credit(small_coop, clerk):
    pay(small_coop.home, "40.00")

    money = section(clerk.get(f"/accounts/{small_coop.home.number}/").text, "balance")

    assert 'data-testid="balance-amount">$40.00 credit<' in money
    assert "Nothing open." in money and "Credit $40.00" in money


def test_cashiers_see_take_a_payment(billed, client):
    client.force_login(staff_user("customer_service"))

    html = client.get(f"/accounts/{billed.home.number}/").text

    assert f'href="/cashier/pay/?account={billed.home.number}"' in html


def test_the_query_count_does_not_grow_with_payments(billed, clerk, django_assert_max_num_queries):
    for number in range(12):
        pay(billed.home, "10.00", reference=f"chk {number}")

    with django_assert_max_num_queries(ACCOUNT_PAGE_QUERIES):
        html = clerk.get(f"/accounts/{billed.home.number}/").text

    assert section(html, "balance").count("chk ") == 12
