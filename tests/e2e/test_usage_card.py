"""A clerk reads a member's use on the account page: the 13-month chart, the reads
behind each month, and the interval meter's daily view."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from tests.integration.backoffice.factories import PASSWORD, described_account, staff_user
from tests.integration.billing_pdf.factories import make_bill
from tests.integration.small_coop import interval_blocks, reads

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_account_page_charts_13_months_with_the_reads_and_the_daily_use(page):
    maria = described_account()
    staff_user("read_only", username="lena")
    reads(maria.meter, *[(date(2025, month, 1), 1_000 + 600 * month) for month in range(1, 13)],
          (date(2026, 1, 1), 8_800))  # fmt: skip
    interval_blocks(maria.meter, date(2026, 1, 6), date(2026, 2, 5), lambda moment: 25)
    make_bill(maria.agreement, "2026-02", energy_wh=640_000, previous_register_wh=8_800_000,
              current_register_wh=9_440_512)  # fmt: skip

    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)  # fmt: skip
    page.goto("/sign-in/?next=/accounts/3100417/")
    page.get_by_label("Username").fill("lena")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/accounts/3100417/$"))

    usage = page.locator("#usage")
    expect(usage.get_by_role("img", name=re.compile("kWh by billing month"))).to_be_visible()
    expect(usage.locator("svg rect.bar")).to_have_count(13 + 30)  # 13 months, 30 days
    expect(usage.locator("svg rect.bar-latest")).to_have_count(2)
    reads_table = usage.get_by_test_id("reads-SP-417")
    expect(reads_table.locator("tbody tr").first).to_contain_text("2026-02")
    expect(reads_table.locator("tbody tr").first).to_contain_text("9,440")
    expect(reads_table).not_to_contain_text("9,440.512")
    expect(reads_table.locator("tbody tr").nth(1)).to_contain_text("Reads")
    daily = usage.get_by_test_id("daily-SP-417")
    expect(daily).to_be_hidden()
    usage.get_by_text("Daily figures").click()
    expect(daily).to_be_visible()
    expect(daily.locator("tbody tr")).to_have_count(30)
    expect(daily.locator("tbody tr").first).to_contain_text("2.4")
    assert violations == []  # the charts pass the site's Content-Security-Policy
    history = page.locator("#history")
    expect(history.locator('tr[data-kind="bill"]')).to_contain_text("Bill 202602-")
    expect(history.locator('tr[data-kind="bill"]')).to_contain_text("Posted")
