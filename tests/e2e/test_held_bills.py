"""A billing clerk starts the day on the work list, opens the held bills, reads why one
was held beside the member's use, and releases it with a note; another is cancelled and
rebilled after its read is corrected."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from coopcis.apps.billing.models import Bill, BillStatus, RiderFactor
from coopcis.apps.billing.run import run_billing
from coopcis.apps.metering.models import RegisterRead
from tests.integration.backoffice.factories import PASSWORD, staff_user
from tests.integration.small_coop import reads, small_coop  # noqa: F401 (fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def held(small_coop, page):  # noqa: F811
    run_billing(period_label="2026-10")
    meter = small_coop.home.agreements.get().service_point.installations.get().meter
    reads(meter, (date(2026, 11, 1), 11_000))  # no use since October
    for code in ("pca", "dca"):
        RiderFactor.objects.create(month="2026-11", code=code, per_kwh=Decimal("0.001"), source="t")
    run_billing(period_label="2026-11")
    staff_user("billing", username="ana")
    page.goto("/sign-in/")
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/$"))
    return Bill.objects.get(account=small_coop.home, period="2026-11", status=BillStatus.HELD)


def open_the_held_bill(page, bill) -> None:
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)  # fmt: skip
    work = page.get_by_test_id("work-held-bills")
    expect(work).to_contain_text("1")
    expect(work).to_contain_text("Held bills to review")
    work.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/bills/held/$"))
    row = page.locator("#held-bills tbody tr", has_text=bill.number)
    expect(row).to_contain_text("No use on a metered service")
    row.get_by_role("link", name="Review").click()
    expect(page).to_have_url(re.compile(rf"/bills/{bill.pk}/$"))
    expect(page.locator("#hold-reasons")).to_contain_text("No use on a metered service")
    expect(page.get_by_test_id("usage-table")).to_contain_text("1,000")  # October's use
    expect(page.locator("#bill-usage svg rect.bar")).to_have_count(2)  # October and this bill
    assert violations == []  # the work list, queue and review pass the site's CSP


def test_release_a_held_bill_with_a_note(held, page):
    open_the_held_bill(page, held)

    page.locator("#release").get_by_label("Note").fill("   ")  # passes the browser's check
    page.locator("#release").get_by_role("button", name="Release and post").click()
    expect(page.locator("#release .errorlist")).to_be_visible()  # a note is required
    page.locator("#release").get_by_label("Note").fill("cabin empty for the winter")
    page.locator("#release").get_by_role("button", name="Release and post").click()

    expect(page).to_have_url(re.compile(r"/bills/held/$"))
    expect(page.locator(".messages")).to_contain_text(f"Released and posted bill {held.number}")
    expect(page.get_by_text("No bills are held for review.")).to_be_visible()
    held.refresh_from_db()
    assert held.status == BillStatus.POSTED


def test_cancel_and_rebill_after_the_read_is_corrected(held, page):
    RegisterRead.objects.filter(read_on=date(2026, 11, 1)).update(register_wh=11_450_000)
    open_the_held_bill(page, held)

    cancel = page.locator("#cancel")
    cancel.get_by_label("Reason").fill("read keyed wrong")
    expect(cancel.get_by_label("Rebill from the reads as they are now")).to_be_checked()
    cancel.get_by_role("button", name="Cancel the bill").click()

    expect(page.locator(".messages")).to_contain_text(f"Cancelled bill {held.number}; rebilled as")
    new = Bill.objects.get(replaces=held)
    assert new.energy_wh == 450_000 and new.status == BillStatus.POSTED
