"""Finance allocates a year's margins and retires credits from the staff pages: each is
previewed (nothing posted), then confirmed; the retirement's preview warns that the
equity ratio falls below the covenant.

Patronage 2025: Alma paid $300.00 of energy, Ben (a former member) $100.00. Margins of
$1,000.00 split 750.00 / 250.00. A percentage retirement of $500.00 retires half of each:
Alma 375.00 as a bill credit (active), Ben 125.00 by check. Equity 3,000 and assets 10,000
before: (3,000 - 500) / (10,000 - 500) = 26.32%, under OCEC's 30% minimum.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from coopcis.apps.capital_credits.models import Allocation, CapitalCredit, Payout, Retirement
from tests.integration.backoffice.factories import PASSWORD, staff_user
from tests.integration.capital_credits.coop import bill, patron

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_finance_allocates_then_retires_with_previews(page, freeze_today):
    freeze_today(date(2026, 5, 1))
    alma = patron("3700001")
    ben = patron("3700002", status="CLOSED")
    bill(alma, date(2025, 6, 10), ("energy", "300.00"))
    bill(ben, date(2025, 6, 10), ("energy", "100.00"))
    staff_user("finance", username="fran")

    page.goto("/capital-credits/allocate/")
    page.get_by_label("Username").fill("fran")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/capital-credits/allocate/$"))

    page.get_by_label("Fiscal year").fill("2025")
    page.get_by_label("Margins to allocate").fill("1,000.00")
    page.get_by_role("button", name="Preview the allocation").click()
    preview = page.get_by_test_id("preview-result")
    expect(preview).to_contain_text("nothing is posted yet")
    expect(page.get_by_test_id("preview-total")).to_have_text("$1000.00")
    expect(preview).to_contain_text("3700001")
    expect(preview).to_contain_text("$750.00")
    assert not Allocation.objects.exists()  # a preview posts nothing

    page.get_by_test_id("confirm").click()
    expect(page.locator(".messages")).to_contain_text("Allocated 1,000.00 of 2025")
    expect(page).to_have_url(re.compile(r"/capital-credits/allocations/\d+/$"))
    shares = dict(CapitalCredit.objects.values_list("account__number", "amount"))
    assert {k: f"{v:.2f}" for k, v in shares.items()} == {"3700001": "750.00", "3700002": "250.00"}

    page.goto("/capital-credits/retire/")
    page.get_by_label("Amount the board approved").fill("500.00")
    page.get_by_label("Board resolution").fill("Resolution 2026-04")
    page.get_by_label("Approved on").fill("2026-04-20")
    page.get_by_label("Method").select_option("percentage")
    page.get_by_label("Equity before (balance sheet)").fill("3,000.00")
    page.get_by_label("Total assets before (balance sheet)").fill("10,000.00")
    page.get_by_role("button", name="Preview the retirement").click()
    expect(page.get_by_test_id("equity-warning")).to_contain_text("26.32%")
    expect(page.get_by_test_id("preview-retired")).to_have_text("$500.00")
    expect(page.get_by_test_id("preview-payouts")).to_have_text("2")
    assert not Retirement.objects.exists()

    page.get_by_test_id("confirm").click()
    expect(page.locator(".messages")).to_contain_text("Retired 500.00 of 500.00 approved")
    expect(page.locator(".messages")).to_contain_text("below the profile's minimum")
    register = page.get_by_test_id("register")
    expect(register).to_contain_text("3700002")
    expect(register).to_contain_text("$125.00")
    paid = {p.account.number: (p.method, f"{p.amount:.2f}") for p in Payout.objects.all()}
    assert paid == {"3700001": ("BILL_CREDIT", "375.00"), "3700002": ("CHECK", "125.00")}
    assert Retirement.objects.get().created_by == "staff:fran"
