"""A clerk logs a call and pins a note on the account page; a billing clerk works a
read exception from the work list; finance records a refund check."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from coopcis.apps.metering.models import ExceptionStatus, ReadException, RegisterRead
from coopcis.apps.payments.models import RefundRequest, RefundStatus
from coopcis.apps.payments.services import receive_payment, request_refund
from tests.integration.backoffice.factories import PASSWORD, described_account, staff_user
from tests.integration.small_coop import reads, small_coop  # noqa: F401 (fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page, username: str, next_url: str = "/") -> None:
    page.goto(f"/sign-in/?next={next_url}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_log_a_call_then_pin_a_note_on_top(page):
    described_account()
    staff_user("customer_service", username="rosa")
    sign_in(page, "rosa", "/accounts/3100417/")

    notes = page.locator("#notes")
    notes.get_by_label("How").select_option("PHONE")
    notes.get_by_label("What was said or done").fill("Asked about the PCA on the last bill.")
    notes.get_by_role("button", name="Add note").click()
    notes.get_by_label("How").select_option("OFFICE")
    notes.get_by_label("What was said or done").fill("Gate code 4471; dog in the yard.")
    notes.get_by_role("button", name="Add note").click()
    expect(page.locator(".messages")).to_contain_text("Note added.")

    items = notes.get_by_test_id("note")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("Gate code 4471")  # the newest first
    items.nth(1).get_by_role("button", name="Pin").click()
    expect(items.first).to_contain_text("Pinned")
    expect(items.first).to_contain_text("Asked about the PCA")
    expect(items.first).to_contain_text("Phone call")
    expect(items.first).to_contain_text("staff:rosa")


def test_accept_a_flagged_read_from_the_work_list(page):
    maria = described_account()
    reads(maria.meter, (date(2026, 9, 1), 1_000), (date(2026, 10, 1), 4_000))
    read = RegisterRead.objects.get(read_on=date(2026, 10, 1))
    exception = ReadException.objects.create(
        meter=maria.meter, billing_month=date(2026, 10, 1), period_end=read.read_on,
        kind="HIGH_USE", detail="3,000 kWh in 30 days against 900 a year ago", read=read,
    )  # fmt: skip
    staff_user("billing", username="ana")
    sign_in(page, "ana")

    work = page.get_by_test_id("work-read-exceptions")
    expect(work).to_contain_text("1")
    work.get_by_role("link").click()
    row = page.locator(f"#exception-{exception.pk}")
    expect(row).to_contain_text("AMI77120")
    expect(row).to_contain_text("3,000 kWh in 30 days")
    row.get_by_label("Accept: the read stands").check()
    row.get_by_label("Note").fill("new well pump, member confirmed")
    row.get_by_role("button", name="Resolve").click()

    expect(page.locator(".messages")).to_contain_text("Accepted: the read stands")
    expect(page.get_by_text("No open exceptions.")).to_be_visible()
    exception.refresh_from_db()
    assert exception.status == ExceptionStatus.ACCEPTED


def test_record_a_refund_check(page):
    maria = described_account()
    receive_payment(account=maria.account, amount=Decimal("300.00"), channel="ONLINE",
                    tender="CARD", received_on=date(2026, 10, 15))  # fmt: skip
    refund = request_refund(account=maria.account, amount=Decimal("120.00"),
                            on=date(2026, 10, 20), reason="moving away")  # fmt: skip
    staff_user("finance", username="fina")
    sign_in(page, "fina")

    page.get_by_test_id("work-refunds").get_by_role("link").click()
    row = page.locator(f"#refund-{refund.pk}")
    expect(row).to_contain_text("$120.00")
    row.get_by_label("Check number").fill("20417")
    row.get_by_role("button", name="Check issued").click()

    expect(page.locator(".messages")).to_contain_text("Refund check 20417 ($120.00)")
    refund.refresh_from_db()
    assert refund.status == RefundStatus.ISSUED
    assert RefundRequest.objects.filter(status=RefundStatus.REQUESTED).count() == 0


def test_apply_a_lockbox_suspense_item_and_see_the_collection_steps_due(page, small_coop):  # noqa: F811
    from django.utils import timezone

    from coopcis.apps.billing.models import Bill
    from coopcis.apps.billing.run import run_billing
    from coopcis.apps.collections.models import CollectionCase
    from coopcis.apps.payments.lockbox.importing import import_lockbox_file
    from coopcis.apps.payments.lockbox.models import SuspenseItem, SuspenseStatus
    from tests.unit.lockbox.files import Row, lockbox_csv

    coop = small_coop
    run_billing(period_label="2026-10")
    import_lockbox_file(
        content=lockbox_csv(date(2026, 10, 15), [Row("1", "1", "", "25.00", "14", "NO STUB")]).encode(),
        name="lockbox-1015.csv",
    )  # fmt: skip
    CollectionCase.objects.create(
        account=coop.tou_home, bill=Bill.objects.get(account=coop.tou_home),
        opened_on=date(2026, 10, 31), next_step="SECOND_NOTICE", next_step_on=timezone.localdate(),
    )  # fmt: skip
    staff_user("finance", username="fina")
    sign_in(page, "fina")

    expect(page.get_by_test_id("work-collections")).to_contain_text("1")
    page.get_by_test_id("work-suspense").get_by_role("link").click()
    item = SuspenseItem.objects.get()
    row = page.locator(f"#suspense-{item.pk}")
    expect(row).to_contain_text("$25.00")
    expect(row).to_contain_text("no scan line or account number")
    row.get_by_label("Account number").fill("0000000")
    row.get_by_label("Note").fill("name on the check")
    row.get_by_role("button", name="Apply to the account").click()
    expect(page.locator(f"#suspense-{item.pk} .errorlist")).to_contain_text("no account 0000000")
    row = page.locator(f"#suspense-{item.pk}")
    row.get_by_label("Account number").fill(coop.home.number)
    row.get_by_role("button", name="Apply to the account").click()
    expect(page.locator(".messages")).to_contain_text(f"applied to account {coop.home.number}")
    item.refresh_from_db()
    assert item.status == SuspenseStatus.RESOLVED

    page.get_by_role("navigation").get_by_role("link", name="Work list").click()
    page.get_by_test_id("work-collections").get_by_role("link").click()
    case_row = page.locator("#cases-due tbody tr")
    expect(case_row).to_have_count(1)
    expect(case_row).to_contain_text("SECOND_NOTICE")
    case_row.get_by_role("link", name=coop.tou_home.number).click()
    expect(page).to_have_url(re.compile(rf"/accounts/{coop.tou_home.number}/#collections$"))
