"""Staff outage pages in Chromium: customer service records a life-support certificate
from the account page, takes a member's outage call from the account search, and a
dispatcher finds the flagged household first on the outage's page, nests a fuse under the
open recloser and closes the recloser with the fuse still out
(tests/integration/outages/nested_network.py)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from coopcis.apps.outages.models import (
    Interruption,
    LifeSupportCertificate,
    Outage,
    OutageReport,
    OutageStatus,
    ReportSource,
)
from tests.integration.backoffice.factories import PASSWORD, staff_user
from tests.integration.outages.nested_network import build, number_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, url: str) -> None:
    staff_user("customer_service", username="rosa")
    page.goto(url)
    page.get_by_label("Username").fill("rosa")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_life_support_call_and_partial_restoration(page, tmp_path):
    build(tmp_path)
    started = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=2)
    recloser = Outage.objects.create(
        device_code="R1",
        device_kind="recloser",
        started_at=started,
        predicted_at=started,
        affected=5,
    )
    flagged = number_of("N")
    today = timezone.localdate()

    # the account page's card leads to the certificates page; record one
    sign_in(page, f"/accounts/{flagged}/")
    page.locator("#life-support").get_by_role("link", name="Life-support certificates").click()
    page.get_by_label("Equipment").fill("oxygen concentrator")
    page.get_by_label("Certified by (practitioner)").fill("Dr. Ortiz")
    page.get_by_label("Certificate received").fill(today.isoformat())
    page.get_by_label("Expires on").fill((today + timedelta(days=90)).isoformat())
    page.get_by_role("button", name="Record the certificate").click()
    expect(page.locator(".messages")).to_contain_text("the member is sent the confirmation")
    expect(page.get_by_test_id("life-support-status")).to_contain_text("Flag in force")
    assert LifeSupportCertificate.objects.get().account.number == flagged

    # a member calls: search by name, pick the account, record the report
    page.get_by_role("link", name="Outage call").click()
    page.get_by_label("Find the account").fill("MemberC")
    page.get_by_role("button", name="Search").click()
    page.locator("#call-results").get_by_role("link", name=number_of("C")).click()
    page.get_by_label("What the member says").fill("heard a bang")
    page.get_by_role("button", name="Record the outage report").click()
    expect(page.locator(".messages")).to_contain_text("recorded for SP-C")
    assert OutageReport.objects.get().source == ReportSource.STAFF

    # the recloser's page: the flagged household first; the fuse below also out
    page.goto("/outages/")
    expect(page.locator(f"#outage-{recloser.pk}")).to_contain_text("1")
    page.locator(f"#outage-{recloser.pk}").get_by_role("link", name=str(recloser.pk)).click()
    expect(page.get_by_test_id("life-support-count")).to_have_text("1")
    first = page.locator("#outage-members tbody tr").first
    expect(first).to_contain_text(flagged)
    expect(first).to_contain_text("oxygen concentrator")
    page.get_by_label("Device below also out").fill("F1")
    page.get_by_role("button", name="Record as out").click()
    expect(page.locator("#nested-outages")).to_contain_text("F1 (fuse)")

    # close the recloser: the fuse stays out (it was recorded nested)
    page.get_by_label("Cause code").fill("tree")
    restored = timezone.localtime(started + timedelta(hours=1))
    page.get_by_label("Restored at (local time)").fill(restored.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Restored").click()
    expect(page.locator(".messages")).to_contain_text("restored except below F1")
    fuse = Outage.objects.get(device_code="F1")
    assert fuse.status == OutageStatus.OPEN
    interruption = Interruption.objects.get()
    assert (interruption.device, interruption.customers_interrupted) == ("R1", 3)
    assert (interruption.end_at - interruption.start_at) == timedelta(hours=1)
    page.goto("/outages/")
    expect(page.locator(f"#outage-{fuse.pk}")).to_contain_text("under outage")
    expect(page).to_have_url(re.compile(r"/outages/$"))
