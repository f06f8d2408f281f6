"""A customer-service clerk takes Maria Baca's $40.00 in cash at the counter: from the
account page she opens her drawer's batch, takes the payment, balances and closes the
drawer, and the account's balance goes from $40.00 to nothing owed."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from coopcis.apps.ledger.services import member_balance
from coopcis.apps.members.models import Account
from coopcis.apps.receivables.services import charge_fee
from tests.integration.backoffice.factories import PASSWORD, described_account, staff_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_office_cash_payment_changes_the_balance(page, tmp_path):
    maria = described_account()
    charge_fee(
        account=maria.account,
        fee_code="returned_check",
        on=date(2026, 10, 5),
        reason="check 1042 returned",
    )
    staff_user("customer_service", username="rosa")
    page.goto("/accounts/3100417/")
    page.get_by_label("Username").fill("rosa")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    money = page.locator("#balance")
    expect(money.get_by_test_id("balance-amount")).to_have_text("$40.00")
    expect(money.locator("#open-charges")).to_contain_text("$40.00")
    money.get_by_role("link", name="Take a payment").click()

    # no drawer is open yet: open one, and come back to the payment
    expect(page.locator(".messages")).to_contain_text("No cashier batch is open")
    page.get_by_label("Drawer").fill("Cloudcroft 1")
    page.get_by_label("Opening cash").fill("100.00")
    page.get_by_role("button", name="Open batch").click()
    expect(page.get_by_label("Account number")).to_have_value("3100417")

    page.get_by_label("Amount").fill("0")
    page.get_by_role("button", name="Take payment").click()
    expect(page.locator("#field-amount .errorlist")).to_contain_text("more than zero")
    for typed, refusal in (("1e3", "without an exponent"), ("١٢", "use the digits 0-9")):
        page.get_by_label("Amount").fill(typed)  # never a $1,000.00 payment shown as $1E+3
        page.get_by_role("button", name="Take payment").click()
        expect(page.locator("#field-amount .errorlist")).to_contain_text(refusal)

    page.get_by_label("Amount").fill("40.00")
    page.get_by_label("Tender").select_option("CASH")
    page.get_by_role("button", name="Take payment").click()
    expect(page.locator(".messages")).to_contain_text("Payment of $40.00 (Cash) on account 3100417")
    expect(page.get_by_test_id("expected-cash")).to_have_text("$140.00")
    assert member_balance(Account.objects.get(number="3100417")) == 40  # pending until closed

    page.get_by_role("link", name="Close batch").click()
    page.get_by_label("Counted cash").fill("140.00")
    page.get_by_label("Counted checks and money orders").fill("0")
    page.get_by_label("Card slips total").fill("0")
    page.get_by_role("button", name="Close batch").click()
    expect(page.locator(".messages")).to_contain_text("closed: the drawer balances")
    expect(page.get_by_test_id("difference")).to_have_text("Difference $0.00")
    page.screenshot(path=str(tmp_path / "batch.png"), full_page=True)

    page.locator("#batch-payments").get_by_role("link", name="3100417").click()
    expect(page).to_have_url(re.compile(r"/accounts/3100417/$"))
    expect(money.get_by_test_id("balance-amount")).to_have_text("$0.00")
    expect(money).to_contain_text("Nothing open.")
    latest = money.locator("#payments tbody tr").first
    expect(latest).to_contain_text("Office")
    expect(latest).to_contain_text("Cash")
    expect(latest).to_contain_text("$40.00")
    expect(latest).to_contain_text("Posted")
