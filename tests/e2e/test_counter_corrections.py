"""At the counter Rosa keys $60.00 for Maria Baca, who owes $40.00: the page warns before
taking the overpayment; she voids it from the batch, takes $40.00 and prints the receipt.
A week's worth later, Ana in finance reverses the posted payment with a reason."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from coopcis.apps.ledger.services import member_balance
from coopcis.apps.payments.models import Payment, PaymentStatus
from coopcis.apps.receivables.services import charge_fee
from tests.integration.backoffice.factories import PASSWORD, described_account, staff_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sign_in(page, username, path):
    page.goto(path)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_warn_void_receipt_and_reverse(page, tmp_path):
    maria = described_account()
    charge_fee(
        account=maria.account, fee_code="returned_check", on=date(2026, 10, 5), reason="check"
    )
    staff_user("customer_service", username="rosa")
    staff_user("finance", username="ana")
    _sign_in(page, "rosa", "/accounts/3100417/")

    page.locator("#balance").get_by_role("link", name="Take a payment").click()
    page.get_by_label("Drawer").fill("Cloudcroft 1")
    page.get_by_label("Opening cash").fill("0")
    page.get_by_role("button", name="Open batch").click()
    expect(page.get_by_test_id("owing-balance")).to_have_text("$40.00")
    page.get_by_label("Amount").fill("60.00")
    page.get_by_role("button", name="Take payment").click()
    expect(page.locator("#field-take_overpayment .errorlist")).to_contain_text(
        "$60.00 is $20.00 more than account 3100417 owes"
    )
    page.get_by_label("Take it anyway").check()
    page.get_by_role("button", name="Take payment").click()
    expect(page.locator(".messages")).to_contain_text("Payment of $60.00 (Cash)")

    # the account page counts it as pending
    page.goto("/accounts/3100417/")
    expect(page.get_by_test_id("balance-pending")).to_contain_text(
        "$60.00 pending in an open cashier batch: $20.00 credit after it posts"
    )

    # it should have been $40.00: void it from the batch
    page.get_by_role("link", name="Cashier").click()
    page.locator("tr", has_text="Cloudcroft 1").get_by_role("link").first.click()
    page.locator("#batch-payments").get_by_role("link", name="Void").click()
    page.get_by_role("button", name="Void payment").click()
    expect(page.locator("#field-reason .errorlist")).to_be_visible()
    page.get_by_label("Reason").fill("keyed $60 for $40")
    page.get_by_role("button", name="Void payment").click()
    expect(page.locator(".messages")).to_contain_text("voided")
    expect(page.locator("#batch-payments")).to_contain_text("Voided before posting")
    expect(page.locator("#batch-payments")).to_contain_text("keyed $60 for $40")
    expect(page.get_by_test_id("expected-cash")).to_have_text("$0.00")

    page.get_by_label("Account number").fill("3100417")
    page.get_by_label("Amount").fill("40.00")
    page.get_by_role("button", name="Take payment").click()
    expect(page.locator(".messages")).to_contain_text("Payment of $40.00 (Cash)")
    receipt = page.locator("#batch-payments tbody tr").first.get_by_test_id("receipt")
    pdf = page.request.get(receipt.get_attribute("href"))
    assert pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
    page.get_by_role("link", name="Close batch").click()
    page.get_by_label("Counted cash").fill("40.00")
    page.get_by_label("Counted checks and money orders").fill("0")
    page.get_by_label("Card slips total").fill("0")
    page.get_by_role("button", name="Close batch").click()
    expect(page.locator(".messages")).to_contain_text("the drawer balances")

    # a clerk cannot reverse a posted payment
    page.goto("/accounts/3100417/")
    expect(page.locator("#payments")).not_to_contain_text("Reverse")
    page.get_by_role("button", name="Sign out").click()

    _sign_in(page, "ana", "/accounts/3100417/")
    expect(page.get_by_test_id("balance-amount")).to_have_text("$0.00")
    posted = page.locator("#payments tbody tr", has_text="Posted")
    posted.get_by_role("link", name="Reverse").click()
    page.get_by_label("Reason").fill("paid on the wrong account")
    page.get_by_role("button", name="Reverse payment").click()
    expect(page.get_by_test_id("balance-amount")).to_have_text("$40.00")
    expect(page.locator("#payments")).to_contain_text("Reversed")
    expect(page.locator("#history")).to_contain_text("Reversed: paid on the wrong account")
    page.screenshot(path=str(tmp_path / "reversed.png"), full_page=True)

    statuses = sorted(Payment.objects.values_list("status", flat=True))
    assert statuses == [PaymentStatus.REVERSED, PaymentStatus.VOIDED]
    assert member_balance(maria.account) == 40
