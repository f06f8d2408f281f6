"""A clerk's slips that would make the books untrue are caught on the page: a phone with
no area code, a cycle that does not exist, a dispute larger than its bill, a hold dated
before the account existed; and the agreement's past-due amount is shown, not typed."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from coopcis.apps.backoffice import protections
from coopcis.apps.billing.models import Bill, BillingCycle
from coopcis.apps.billing.run import run_billing
from coopcis.apps.collections.models import Agreement, CoopHold, Dispute
from coopcis.apps.collections.run import run_collections
from tests.integration.backoffice.factories import PASSWORD, staff_user
from tests.integration.small_coop import small_coop  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TODAY = date(2026, 11, 13)


@pytest.fixture
def home(small_coop, monkeypatch):  # noqa: F811
    monkeypatch.setattr(protections, "today", lambda: TODAY)
    run_billing(period_label="2026-10")
    run_collections(as_of=date(2026, 10, 31))
    return small_coop.home


def test_slips_are_refused_against_their_field(page, home):
    bill = Bill.objects.get(account=home, period="2026-10")
    cycles = sorted(BillingCycle.objects.values_list("number", flat=True))
    staff_user("customer_service", username="rosa")
    page.goto(f"/accounts/{home.number}/edit/")
    page.get_by_label("Username").fill("rosa")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_label("Phone").fill("682-4411")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#field-phone .errorlist")).to_contain_text("not a valid phone number")
    page.get_by_label("Phone").fill("(575) 682-4411")
    page.get_by_label("Billing cycle").fill("99")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#field-billing_cycle .errorlist")).to_have_text(
        f"there is no billing cycle 99; the cycles are: {', '.join(map(str, cycles))}"
    )

    page.goto(f"/accounts/{home.number}/collections/disputes/new/")
    page.get_by_label("Disputed amount").fill("500.00")
    page.get_by_label("What is disputed").fill("estimated read")
    page.get_by_label("Bill disputed (optional)").select_option(str(bill.pk))
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#field-amount .errorlist")).to_contain_text(
        f"is more than bill {bill.number}'s ${bill.total_amount}"
    )
    assert not Dispute.objects.exists()

    page.goto(f"/accounts/{home.number}/collections/holds/new/")
    page.get_by_label("Why collection is held").fill("storm")
    page.get_by_label("Placed on").fill("2001-01-01")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#field-on .errorlist")).to_contain_text("before the account was opened")
    assert not CoopHold.objects.exists()

    page.goto(f"/accounts/{home.number}/collections/agreements/new/")
    total = page.get_by_label("Total past due")
    expect(total).to_be_disabled()
    expect(total).to_have_value("183.89")
    page.get_by_label("Down payment (due the day made)").fill("40.00")
    page.get_by_label("Installments").fill("3")
    page.get_by_label("First installment due on").fill("2026-12-01")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("made")
    assert Agreement.objects.get(account=home).total_amount == bill.total_amount
