"""Office cashier pages: open a drawer's batch, take cash and a check, close it counted
short, and the payments post to cash and receivables; a read-only role cannot take money."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from coopcis.apps.ledger import reports
from coopcis.apps.ledger.services import member_balance
from coopcis.apps.payments.models import BatchStatus, CashierBatch, Payment, PaymentStatus
from coopcis.apps.payments.services import open_batch
from tests.integration.backoffice.factories import staff_user

pytestmark = pytest.mark.django_db
D = Decimal


def signed_in(role: str) -> Client:
    client = Client()
    client.force_login(staff_user(role, username=f"{role}-cashier"))
    return client


def field_errors(html: str, name: str) -> str:
    return html.split(f'id="field-{name}"')[1].split("</div>")[0]


def take(clerk, batch, account, amount, tender="CASH", reference="", submission=None):
    return clerk.post(
        f"/cashier/{batch.pk}/pay/",
        {
            "account": account.number,
            "amount": amount,
            "tender": tender,
            "reference": reference,
            "submission": submission or f"{account.number}-{amount}-{tender}",
        },
    )


def test_open_take_cash_and_check_close_short_and_post(billed):
    clerk = signed_in("customer_service")

    opened = clerk.post("/cashier/open/", {"drawer": "Cloudcroft 1", "opening_cash": "100.00"})
    batch = CashierBatch.objects.get()
    assert opened.status_code == 302 and opened["Location"] == f"/cashier/{batch.pk}/"
    assert batch.opened_by == "staff:customer_service-cashier"

    assert take(clerk, batch, billed.home, "83.89").status_code == 302
    check = take(clerk, batch, billed.lights, "100.62", "CHECK", "chk 311")
    assert check.status_code == 302
    assert member_balance(billed.home) == D("183.89")  # pending until the batch closes

    page = clerk.get(f"/cashier/{batch.pk}/").text
    assert 'data-testid="expected-cash">$183.89<' in page  # 100.00 float + 83.89
    assert 'data-testid="expected-checks">$100.62<' in page
    assert 'data-testid="expected-cards">$0.00<' in page
    assert "chk 311" in page and "In an open cashier batch" in page

    closed = clerk.post(
        f"/cashier/{batch.pk}/close/",
        {"counted_cash": "183.80", "counted_checks": "100.62", "counted_cards": "0"},
        follow=True,
    )
    assert f"Batch {batch.pk} closed: $0.09 short." in closed.text
    assert 'data-testid="difference">Difference -$0.09<' in closed.text
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CLOSED and batch.difference == D("-0.09")
    assert set(Payment.objects.values_list("status", flat=True)) == {PaymentStatus.POSTED}
    assert member_balance(billed.home) == D("100.00")
    assert reports.trial_balance().balanced and reports.receivables_difference() == 0
    cash_lines = [p.journal_entry.lines.get(gl_account_id="131").debit_amount
                  for p in Payment.objects.order_by("id")]  # fmt: skip
    assert cash_lines == [D("83.89"), D("100.62")]

    listing = clerk.get("/cashier/").text
    closed_section = listing.split('id="closed-batches"')[1]
    assert "Cloudcroft 1" in closed_section and "$184.51" in closed_section


def test_refusals_show_against_the_field_and_record_nothing(billed):
    clerk = signed_in("finance")
    batch = open_batch(drawer="Tularosa", opened_on=billed.home.opened_on)

    unknown = take(clerk, batch, type("A", (), {"number": "0000000"}), "10.00")
    zero = take(clerk, batch, billed.home, "0.00")
    too_fine = take(clerk, batch, billed.home, "1.005")
    ach = take(clerk, batch, billed.home, "10.00", tender="ACH")

    assert unknown.status_code == zero.status_code == 200
    assert "no such account" in field_errors(unknown.text, "account")
    assert "the amount must be more than zero" in field_errors(zero.text, "amount")
    assert "at most two decimals (whole cents)" in field_errors(too_fine.text, "amount")
    assert "Select a valid choice" in field_errors(ach.text, "tender")
    assert not Payment.objects.exists()


def test_a_double_submitted_form_takes_the_payment_once(billed):
    clerk = signed_in("customer_service")
    batch = open_batch(drawer="Cloudcroft 2", opened_on=billed.home.opened_on)

    take(clerk, batch, billed.home, "20.00", submission="form-1")
    again = take(clerk, batch, billed.home, "20.00", submission="form-1")
    changed = take(clerk, batch, billed.home, "25.00", submission="form-1")

    assert again.status_code == 302
    assert "already saved with other figures" in changed.text
    assert Payment.objects.count() == 1


def test_a_closed_batch_takes_no_more_payments(billed):
    clerk = signed_in("manager")
    batch = open_batch(drawer="Cloudcroft 3", opened_on=billed.home.opened_on)
    clerk.post(
        f"/cashier/{batch.pk}/close/",
        {"counted_cash": "0", "counted_checks": "0", "counted_cards": "0"},
    )

    late = take(clerk, batch, billed.home, "5.00")
    twice = clerk.post(
        f"/cashier/{batch.pk}/close/",
        {"counted_cash": "0", "counted_checks": "0", "counted_cards": "0"},
    )

    assert f"cashier batch {batch.pk} is closed" in late.text
    assert "is already closed" in twice.text
    assert not Payment.objects.exists()


@pytest.mark.parametrize("role", ["read_only", "billing"])
def test_roles_that_do_not_take_money_get_403(billed, role):
    clerk = signed_in(role)
    batch = open_batch(drawer="Cloudcroft 4", opened_on=billed.home.opened_on)
    counted = {"counted_cash": "0", "counted_checks": "0", "counted_cards": "0"}

    assert clerk.get("/cashier/open/").status_code == 403
    assert clerk.post("/cashier/open/", {"drawer": "X", "opening_cash": "0"}).status_code == 403
    assert take(clerk, batch, billed.home, "10.00").status_code == 403
    assert clerk.post(f"/cashier/{batch.pk}/close/", counted).status_code == 403
    assert clerk.get(f"/cashier/pay/?account={billed.home.number}").status_code == 403
    # they may look
    assert clerk.get("/cashier/").status_code == 200
    batch_page = clerk.get(f"/cashier/{batch.pk}/").text
    assert "Take a payment" not in batch_page and "Close batch" not in batch_page
    assert not Payment.objects.exists() and CashierBatch.objects.count() == 1
    batch.refresh_from_db()
    assert batch.status == BatchStatus.OPEN


def test_take_a_payment_from_the_account_page_finds_the_open_batch(billed):
    clerk = signed_in("customer_service")
    number = billed.home.number

    none_open = clerk.get(f"/cashier/pay/?account={number}")
    assert none_open["Location"] == f"/cashier/open/?account={number}"
    opened = clerk.post(
        f"/cashier/open/?account={number}", {"drawer": "Cloudcroft 1", "opening_cash": "0"}
    )
    batch = CashierBatch.objects.get()
    assert opened["Location"] == f"/cashier/{batch.pk}/pay/?account={number}"
    assert clerk.get(f"/cashier/pay/?account={number}")["Location"] == opened["Location"]
    form = clerk.get(opened["Location"]).text
    assert f'value="{number}"' in form

    open_batch(drawer="Cloudcroft 2", opened_on=billed.home.opened_on)
    choose = clerk.get(f"/cashier/pay/?account={number}")
    assert choose.status_code == 200 and "Which drawer takes the payment?" in choose.text
