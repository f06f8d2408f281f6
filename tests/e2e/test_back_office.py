"""A customer-service clerk signs in, finds Maria Baca's account by name and by meter
serial, reads the account page, and corrects the mailing ZIP (first wrongly)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from coopcis.apps.members.models import Account
from tests.integration.backoffice.factories import PASSWORD, described_account, staff_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def signed_in(page):
    described_account()
    staff_user("customer_service", username="rosa")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in/\?next=/$"))
    page.get_by_label("Username").fill("rosa")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/$"))
    return page


def test_header_shows_co_op_user_and_role(signed_in):
    header = signed_in.locator("header")

    expect(header).to_contain_text("Otero County Electric Cooperative, Inc.")
    expect(header.get_by_test_id("user")).to_have_text("Rosa Customer Service")
    expect(header.get_by_test_id("role")).to_have_text("Customer service")


def test_search_by_name_lists_the_account(signed_in):
    signed_in.get_by_placeholder("Name, account number").fill("maria baca")
    signed_in.get_by_role("button", name="Search").click()

    rows = signed_in.locator("table.results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("3100417")
    expect(rows.first).to_contain_text("Baca, Maria")
    expect(rows.first).to_contain_text("1207 James Canyon Hwy, Cloudcroft, NM 88317")
    rows.first.get_by_role("link", name="3100417").click()
    expect(signed_in).to_have_url(re.compile(r"/accounts/3100417/$"))


def test_account_page_edit_with_a_bad_then_a_good_zip(signed_in, tmp_path):
    page = signed_in
    page.get_by_placeholder("Name, account number").fill("AMI77120")
    page.get_by_role("button", name="Search").click()

    # An exact meter serial goes straight to the account.
    expect(page).to_have_url(re.compile(r"/accounts/3100417/$"))
    expect(page.locator("h1")).to_contain_text("Account 3100417")
    expect(page.locator("#membership")).to_contain_text("104417")
    expect(page.locator("#account-details")).to_contain_text("20 days after the bill date")
    expect(page.get_by_test_id("bank-account")).to_have_text("••••••5678")
    expect(page.locator("#premises")).to_contain_text("District NE (Northeast)")
    expect(page.locator("#premises")).to_contain_text("AMI77120 2023-05-10 → in service")
    expect(page.locator("#agreements")).to_contain_text("ocec-res")
    page.screenshot(path=str(tmp_path / "account.png"), full_page=True)

    page.get_by_role("link", name="Edit contact and preferences").click()
    page.get_by_label("ZIP").fill("8831")
    page.get_by_role("button", name="Save").click()

    error = page.locator("#field-mailing_zip .errorlist")
    expect(error).to_have_text("ZIP code must be 12345 or 12345-6789: '8831'")
    expect(page.locator(".errorlist")).to_have_count(1)
    page.screenshot(path=str(tmp_path / "edit-error.png"), full_page=True)
    assert Account.objects.get(number="3100417").mailing_zip == "88317"

    page.get_by_label("ZIP").fill("88310")
    page.get_by_label("Reason").fill("post office box moved")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(r"/accounts/3100417/$"))
    expect(page.locator(".messages")).to_contain_text("Account 3100417 updated.")
    expect(page.locator("#account-details")).to_contain_text("PO Box 817, Cloudcroft, NM 88310")
    latest = page.locator("#history tbody tr").first
    expect(latest).to_contain_text("staff:rosa")
    expect(latest).to_contain_text("Account: Account 3100417 changed")
    expect(latest).to_contain_text("Mailing zip: 88317 → 88310")
    expect(latest).to_contain_text("post office box moved")
    assert Account.objects.get(number="3100417").mailing_zip == "88310"
