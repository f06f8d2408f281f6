"""A clerk opens Maria Baca's account; the manager finds that read in the read log, per
account and per staff member."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.integration.backoffice.factories import PASSWORD, described_account, staff_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, username: str) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/$"))


def test_the_manager_sees_who_opened_an_account(page):
    described_account()
    staff_user("customer_service", username="rosa")
    staff_user("manager", username="gm")

    sign_in(page, "rosa")
    page.goto("/accounts/3100417/")
    expect(page.locator("h1")).to_contain_text("Account 3100417")
    expect(page.get_by_role("link", name="Read log")).to_have_count(0)
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, "gm")
    page.get_by_role("link", name="Read log").click()
    page.get_by_label("Account number").fill("3100417")
    page.get_by_role("button", name="Show").click()
    rows = page.get_by_test_id("reads").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("rosa")
    expect(rows.first).to_contain_text("account page")

    rows.first.get_by_role("link", name="rosa").click()
    expect(page).to_have_url(re.compile(r"/reads/\?reader=rosa$"))
    expect(page.get_by_test_id("reads").locator("tbody tr")).to_have_count(1)
