"""Rosa types "ramon" a letter at a time: the results change under the box as she types,
without pressing Enter, and find Ramón Ibáñez before the people on Ramon Street."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.factories import AccountFactory, PartyFactory, ServiceAgreementFactory
from tests.integration.backoffice.factories import PASSWORD, staff_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_results_follow_the_typing(page, tmp_path):
    ramon = AccountFactory(
        number="2200731", party=PartyFactory(first_name="Ramón", last_name="Ibáñez")
    )
    ServiceAgreementFactory(account=ramon, service_point__premise__line1="88 Sacramento Rd")
    street = AccountFactory(number="2200100", party=PartyFactory(last_name="Abeyta"))
    ServiceAgreementFactory(account=street, service_point__premise__line1="5 Ramon St")
    staff_user("read_only", username="rosa")
    page.goto("/sign-in/")
    page.get_by_label("Username").fill("rosa")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    box = page.get_by_role("searchbox")
    box.press_sequentially("ram", delay=60)
    results = page.locator("#search-results")
    expect(results.locator("h1")).to_have_text("2 accounts for “ram”")
    rows = results.locator("tbody tr")
    expect(rows.nth(0)).to_contain_text("Ibáñez, Ramón")
    expect(rows.nth(1)).to_contain_text("Abeyta")
    expect(page).to_have_url(re.compile(r"\?q=ram$"))

    box.press_sequentially("on ibanez", delay=40)
    expect(results.locator("h1")).to_have_text("1 account for “ramon ibanez”")
    box.fill("")
    box.press_sequentially("Sacramento Road", delay=20)
    expect(results.locator("tbody tr")).to_have_count(1)
    expect(results).to_contain_text("88 Sacramento Rd")
    page.screenshot(path=str(tmp_path / "search.png"), full_page=True)

    # Enter on an exact number still opens the account
    box.fill("2200731")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/accounts/2200731/$"))
