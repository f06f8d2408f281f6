"""A member reads their use in the portal: the chart (an image named by its title) and the
table with the same figures, drawn without breaking the Content-Security-Policy."""

from __future__ import annotations

import re
from datetime import date

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.factories import MeterFactory, MeterInstallationFactory
from tests.integration.portal.factories import PASSWORD, billed_account, member
from tests.integration.usage.test_green_button import utc_blocks

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_usage_page_shows_the_chart_and_its_table(page):
    billed = billed_account("7700417", periods=("2026-02", "2026-03"), energy_wh=640_000)
    meter = MeterFactory(serial="AMI-E2E", kind="AMI_INTERVAL", interval_minutes=15)
    MeterInstallationFactory(
        meter=meter, service_point=billed.agreement.service_point, installed_on=date(2026, 1, 1)
    )
    utc_blocks(meter, date(2026, 3, 1), date(2026, 4, 1), lambda at: 25)  # 2.4 kWh a day
    member("ana@example.org", billed.account)
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)  # fmt: skip

    page.goto("/portal/sign-in/?next=/portal/accounts/7700417/usage/")
    page.get_by_label("Email").fill("ana@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in")).click()
    expect(page).to_have_url(re.compile(r"/portal/accounts/7700417/usage/$"))

    expect(page.get_by_role("img", name=re.compile("kWh by billing month"))).to_be_visible()
    expect(page.locator("svg.usage-chart rect.bar-latest")).to_have_count(2)  # kWh and cost
    table = page.get_by_role("table", name=re.compile("Use and cost by billing month"))
    expect(table.locator("tbody tr").first).to_contain_text("2026-03")
    expect(table.locator("tbody tr").first).to_contain_text("640")

    page.get_by_role("link", name="Daily").click()
    expect(page.get_by_role("img", name=re.compile("kWh by day, 2026-03"))).to_be_visible()
    daily = page.get_by_role("table", name=re.compile("Use by day"))
    expect(daily.locator("tbody tr")).to_have_count(31)
    expect(daily.locator("tbody tr").first).to_contain_text("2.4")

    page.get_by_role("link", name="15 minutes").click()
    expect(page.locator("svg.usage-chart path.steps")).to_have_count(1)
    expect(page.get_by_role("table", name=re.compile("kWh per 15 minutes")).locator("tbody tr")
           ).to_have_count(31 * 96 - 4)  # fmt: skip  # March: the 23-hour DST day
    assert violations == []

    axe = Axe()
    for path in ("usage/", "usage/?view=hourly", "usage/rates/", "usage/download/",
                 "usage/alerts/"):  # fmt: skip
        page.goto(f"/portal/accounts/7700417/{path}")
        results = axe.run(page)
        assert results.violations_count == 0, (path, results.generate_report())
        page.set_viewport_size({"width": 360, "height": 800})
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, (path, width)  # no horizontal scrolling on a phone
        page.set_viewport_size({"width": 1280, "height": 800})
