"""A customer-service clerk opens the account of a member who got a second notice, opens a
dispute of $40.00 on the October bill (first forgetting to say what is disputed), and
sees the dispute listed and the collection case paused."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from coopcis.apps.backoffice import protections
from coopcis.apps.billing.models import Bill
from coopcis.apps.billing.run import run_billing
from coopcis.apps.collections.models import Dispute
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


def test_a_clerk_opens_a_dispute_and_the_case_pauses(page, home, tmp_path):
    bill = Bill.objects.get(account=home, period="2026-10")
    staff_user("customer_service", username="rosa")
    page.goto(f"/accounts/{home.number}/")
    page.get_by_label("Username").fill("rosa")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    card = page.locator("#collections")
    expect(card).to_contain_text("Second notice sent")
    expect(card.get_by_test_id("protections-now")).to_have_count(0)
    card.get_by_role("link", name="Open dispute").click()

    expect(page.get_by_label("Opened on")).to_have_value("2026-11-13")
    page.get_by_label("Disputed amount").fill("40.00")
    page.get_by_label("Bill disputed (optional)").select_option(str(bill.pk))
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#field-description .errorlist")).to_have_text("say what is disputed")
    assert not Dispute.objects.exists()

    page.get_by_label("What is disputed").fill("estimated read")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(rf"/accounts/{home.number}/#collections$"))
    expect(page.locator(".messages")).to_contain_text("Dispute of $40.00 opened")
    disputes = card.locator("#disputes tbody tr")
    expect(disputes).to_have_count(1)
    expect(disputes.first.locator("td")).to_have_text(
        [
            "2026-11-13",
            "$40.00",
            bill.number,
            "estimated read",
            "Open: under investigation",
            "Resolve",
        ]
    )
    protected = card.get_by_test_id("protections-now")
    expect(protected).to_contain_text("Collection paused on 2026-11-13")
    expect(protected).to_contain_text(
        "DISPUTE_UNDER_INVESTIGATION — $40.00 disputed since 2026-11-13: estimated read"
    )
    page.screenshot(path=str(tmp_path / "dispute.png"), full_page=True)
    dispute = Dispute.objects.get()
    assert (dispute.account_id, dispute.bill_id, dispute.description) == (
        home.pk,
        bill.pk,
        "estimated read",
    )
