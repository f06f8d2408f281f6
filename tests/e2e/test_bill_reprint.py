"""A member lost October's bill: the clerk reprints it from the account page; the copy says
so and the reprint is in the account's history."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from coopcis.apps.billing.models import Bill
from coopcis.apps.billing.run import run_billing
from tests.integration.backoffice.factories import PASSWORD, staff_user
from tests.integration.small_coop import small_coop  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_reprint_a_lost_bill(page, small_coop, tmp_path):  # noqa: F811
    run_billing(period_label="2026-10")
    home = small_coop.home
    bill = Bill.objects.get(account=home, period="2026-10")
    staff_user("customer_service", username="rosa")
    page.goto(f"/accounts/{home.number}/")
    page.get_by_label("Username").fill("rosa")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.locator("#bills tbody tr", has_text=bill.number).get_by_role(
        "link", name="Reprint"
    ).click()
    page.get_by_role("button", name="Print").click()
    expect(page.locator("#field-reason .errorlist")).to_be_visible()
    page.get_by_label("Why").fill("lost in the mail")
    with page.expect_download() as download:
        page.get_by_role("button", name="Print").click()
    assert download.value.suggested_filename == f"{bill.number}-copy.pdf"
    saved = tmp_path / "copy.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")

    page.goto(f"/accounts/{home.number}/")
    expect(page.locator("#history")).to_contain_text("Reprinted: lost in the mail")
