"""The back office lists an account's bills and serves each one's PDF to signed-in staff."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.integration.backoffice.factories import staff_user
from tests.integration.billing_pdf.conftest import pdf_text
from tests.integration.billing_pdf.factories import make_bill

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(db: None) -> Client:
    client = Client()
    client.force_login(staff_user("read_only"))
    return client


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_signed_in_staff_get_the_bill_as_a_pdf(clerk, home):
    bill = make_bill(home, amount_due_amount=Decimal("167.83"))

    response = clerk.get(f"/bills/{bill.pk}.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{bill.number}.pdf"'
    text = pdf_text(response.content)
    assert "3100417" in text and "$167.83" in text


def test_signed_out_visitors_are_sent_to_sign_in(home):
    bill = make_bill(home)

    response = Client().get(f"/bills/{bill.pk}.pdf")

    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_a_user_without_a_role_is_refused(home):
    bill = make_bill(home)
    client = Client()
    client.force_login(staff_user(None))

    assert client.get(f"/bills/{bill.pk}.pdf").status_code == 403


def test_an_unknown_bill_is_a_404(clerk, home):
    make_bill(home)

    response = clerk.get("/bills/987654.pdf")

    assert response.status_code == 404
    assert "bill 987654" in response.text


def test_the_account_page_lists_the_bills_with_a_pdf_link(clerk, home):
    march = make_bill(home, "2026-03", amount_due_amount=Decimal("167.83"), estimated=True)
    february = make_bill(home, "2026-02", status="HELD")

    page = clerk.get("/accounts/3100417/").text
    bills = page.split('id="bills"')[1].split("</section>")[0]

    assert bills.index(march.number) < bills.index(february.number)  # newest first
    assert f'href="/bills/{march.pk}.pdf"' in bills
    assert f'href="/bills/{february.pk}.pdf"' in bills
    assert "2026-03-28" in bills  # March's due date
    assert "$167.83" in bills
    assert "Posted" in bills and "Held for review" in bills
    assert "Estimated" in bills


def test_the_account_page_query_count_does_not_grow_with_bills(clerk, home):
    make_bill(home, "2024-12")
    with CaptureQueriesContext(connection) as one_bill:
        clerk.get("/accounts/3100417/")
    for month in range(1, 13):
        make_bill(home, f"2025-{month:02d}")

    with CaptureQueriesContext(connection) as thirteen_bills:
        page = clerk.get("/accounts/3100417/").text

    assert page.count('data-testid="bill-pdf"') == 13
    assert len(thirteen_bills.captured_queries) == len(one_bill.captured_queries)
