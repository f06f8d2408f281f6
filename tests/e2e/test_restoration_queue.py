"""A dispatcher opens the restoration queue, sets a crew and an estimate on the substation
outage (listed first, before a larger feeder), and restores it with a cause code."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coopcis.apps.outages.models import Interruption, Outage, OutageStatus
from tests.integration.backoffice.factories import PASSWORD, staff_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_dispatcher_works_the_queue(page):
    at = timezone.now() - timedelta(minutes=40)
    Outage.objects.create(
        device_code="RUI-1", device_kind="feeder", started_at=at, predicted_at=at, affected=900
    )
    sub = Outage.objects.create(
        device_code="RUI", device_kind="substation", started_at=at, predicted_at=at, affected=500
    )
    staff_user("customer_service", username="rosa")
    page.goto("/outages/")
    page.get_by_label("Username").fill("rosa")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/outages/$"))
    rows = page.locator("#restoration-queue tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("RUI (substation)")
    expect(rows.nth(1)).to_contain_text("RUI-1 (feeder)")

    row = page.locator(f"#outage-{sub.pk}")
    row.get_by_label("Crew").fill("Line crew 3")
    row.get_by_label("Estimated restoration (local time)").fill("2030-01-01T18:30")
    row.get_by_role("button", name="Save estimate").click()
    expect(page.locator(".messages")).to_contain_text("estimate and crew saved")
    expect(page.locator(f"#outage-{sub.pk}")).to_contain_text("Line crew 3")

    row = page.locator(f"#outage-{sub.pk}")
    row.get_by_label("Cause code").fill("lightning")
    now_local = timezone.localtime(timezone.now() - timedelta(minutes=2))
    row.get_by_label("Restored at (local time)").fill(now_local.strftime("%Y-%m-%dT%H:%M"))
    row.get_by_role("button", name="Restored").click()
    expect(page.locator(".messages")).to_contain_text("restored; its interruption is recorded")
    expect(page.locator("#restoration-queue tbody tr")).to_have_count(1)
    expect(page.locator("#restored")).to_contain_text("lightning")
    sub.refresh_from_db()
    assert sub.status == OutageStatus.RESTORED and sub.crew == "Line crew 3"
    assert Interruption.objects.get().customers_interrupted == 500
