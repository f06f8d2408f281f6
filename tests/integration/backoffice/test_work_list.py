"""The home page is the day's work: held bills, read exceptions, lockbox suspense,
applications, collection steps due and refund checks, each counted and linked to the
page where it is worked (and those pages work it with the command line's services)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from coopcis.apps.billing.models import Bill
from coopcis.apps.collections.models import CollectionCase, ServiceOrder
from coopcis.apps.members.models import ServiceApplication
from coopcis.apps.metering.models import ExceptionStatus, ReadException, RegisterRead
from coopcis.apps.payments.lockbox.importing import import_lockbox_file
from coopcis.apps.payments.lockbox.models import SuspenseItem, SuspenseStatus
from coopcis.apps.payments.models import RefundRequest, RefundStatus
from coopcis.apps.payments.services import receive_payment, request_refund
from coopcis.apps.premises.models import Premise
from tests.integration.billing_pdf.factories import make_bill
from tests.integration.lockbox.conftest import DEPOSIT_DAY, billed, small_coop, stub  # noqa: F401
from tests.unit.lockbox.files import Row, lockbox_csv

pytestmark = pytest.mark.django_db


def misread(scan_line: str) -> str:
    digits = scan_line.replace(" ", "")
    return digits[:-1] + str((int(digits[-1]) + 1) % 10)


@pytest.fixture
def work(billed):  # noqa: F811
    """One of each kind of work, and some that is not work (declined, closed, later)."""
    home, tou_home, lights = billed.home, billed.tou_home, billed.lights
    today = timezone.localdate()
    lights_agreement = lights.agreements.get()
    make_bill(lights_agreement, "2026-11", status="HELD", hold_reasons=["NEGATIVE_TOTAL"])
    read = RegisterRead.objects.filter(
        meter__installations__service_point__agreements__account=home
    ).latest("read_on")
    ReadException.objects.create(
        meter=read.meter, billing_month=date(2026, 10, 1), period_end=read.read_on,
        kind="HIGH_USE", detail="1,000 kWh in 30 days against 300 a year ago", read=read,
    )  # fmt: skip
    import_lockbox_file(
        content=lockbox_csv(DEPOSIT_DAY, [Row("1", "1", misread(stub(home)), "223.89", "11")]).encode(),
        name="lockbox-1015.csv",
    )  # fmt: skip
    premise = Premise.objects.first()
    for status in ("SUBMITTED", "APPROVED", "DECLINED"):
        ServiceApplication.objects.create(
            party=home.party, premise=premise, rate_class="RESIDENTIAL", tariff_code="ocec-res",
            submitted_on=date(2026, 10, 1), requested_on=date(2026, 11, 1), status=status,
        )  # fmt: skip
    bill = Bill.objects.get(account=tou_home, period="2026-10")
    case = CollectionCase.objects.create(
        account=tou_home, bill=bill, opened_on=date(2026, 10, 31), next_step="SECOND_NOTICE",
        next_step_on=today, past_due_amount=Decimal("61.20"),
    )  # fmt: skip
    for scheduled_on in (today, date(2999, 1, 1)):
        ServiceOrder.objects.create(
            account=tou_home, case=None, kind="METER_TEST", reason="MEMBER_REQUEST",
            created_on=date(2026, 10, 1), scheduled_on=scheduled_on, window="08:00-16:00",
        )  # fmt: skip
    receive_payment(account=lights, amount=Decimal("500.00"), channel="ONLINE", tender="CARD",
                    received_on=date(2026, 10, 15))  # fmt: skip
    request_refund(account=lights, amount=Decimal("100.00"), on=date(2026, 10, 20),
                   reason="moving away")  # fmt: skip
    return billed, case


def count_of(html: str, key: str) -> str:
    item = html.split(f'data-testid="work-{key}"')[1].split("</li>")[0]
    return item.split('<span class="work-count">')[1].split("</span>")[0]


def test_the_home_page_counts_each_kind_of_work_and_links_to_it(
    client_as, work, django_assert_max_num_queries
):
    clerk = client_as("read_only")

    # session, user, permissions (2), role groups; twelve counts (collections counts two)
    with django_assert_max_num_queries(17):
        html = clerk.get("/").text

    assert count_of(html, "held-bills") == "1"
    assert count_of(html, "read-exceptions") == "1"
    assert count_of(html, "suspense") == "1"
    assert count_of(html, "applications") == "2"  # submitted and approved, not declined
    assert count_of(html, "collections") == "2"  # the case due today and today's order
    assert count_of(html, "refunds") == "1"
    assert count_of(html, "address-changes") == "0"
    assert count_of(html, "medical-certificates") == "0"
    assert count_of(html, "capital-credit-claims") == "0"
    for url in ("/bills/held/", "/work/read-exceptions/", "/work/suspense/",
                "/applications/?status=open", "/work/collections/", "/work/refunds/"):  # fmt: skip
        assert f'href="{url}"' in html
        assert clerk.get(url).status_code == 200


def test_a_search_still_searches(client_as, work):
    html = client_as("read_only").get("/", {"q": "zzz-no-such"}).text

    assert "0 accounts" in html and "work-count" not in html


def test_billing_accepts_a_flagged_read(client_as, work):
    exception = ReadException.objects.get()
    queue = client_as("read_only").get("/work/read-exceptions/").text
    assert exception.meter.serial in queue and "1,000 kWh in 30 days" in queue
    assert "Resolve" not in queue  # read-only: no form

    response = client_as("billing").post(
        f"/work/read-exceptions/{exception.pk}/resolve/",
        {f"x{exception.pk}-status": "ACCEPTED", f"x{exception.pk}-note": "new well pump"},
    )

    assert response.status_code == 302
    exception.refresh_from_db()
    assert exception.status == ExceptionStatus.ACCEPTED and exception.note == "new well pump"


def test_finance_applies_a_suspense_item_to_the_member_named_on_the_check(client_as, work):
    billed_coop, _ = work
    item = SuspenseItem.objects.get()
    finance = client_as("finance")

    refused = finance.post(
        f"/work/suspense/{item.pk}/apply/",
        {f"s{item.pk}-account": "0000000", f"s{item.pk}-note": "name on check"},
    )
    assert refused.status_code == 200 and "no account 0000000" in refused.text
    item.refresh_from_db()
    assert item.status == SuspenseStatus.OPEN

    finance.post(
        f"/work/suspense/{item.pk}/apply/",
        {f"s{item.pk}-account": billed_coop.home.number, f"s{item.pk}-note": "name on check"},
    )

    item.refresh_from_db()
    assert item.status == SuspenseStatus.RESOLVED and item.resolved_account == billed_coop.home
    assert item.payment.amount == Decimal("223.89")


def test_a_customer_service_clerk_cannot_apply_suspense(client_as, work):
    item = SuspenseItem.objects.get()

    response = client_as("customer_service").post(
        f"/work/suspense/{item.pk}/apply/", {f"s{item.pk}-account": "1", f"s{item.pk}-note": "x"}
    )

    assert response.status_code == 403


def test_finance_records_the_refund_check(client_as, work):
    refund = RefundRequest.objects.get()
    finance = client_as("finance")

    blank = finance.post(f"/work/refunds/{refund.pk}/issue/", {f"r{refund.pk}-check_number": ""})
    assert blank.status_code == 200
    finance.post(f"/work/refunds/{refund.pk}/issue/", {f"r{refund.pk}-check_number": "20417"})

    refund.refresh_from_db()
    assert refund.status == RefundStatus.ISSUED and refund.check_number == "20417"
    assert refund.issue_entry is not None


def test_collection_steps_due_link_to_the_accounts_collections_card(client_as, work):
    _, case = work

    html = client_as("read_only").get("/work/collections/").text

    assert f'href="/accounts/{case.account.number}/#collections"' in html
    assert "SECOND_NOTICE" in html and "$61.20" in html
    assert "Meter test" in html and "2999-01-01" not in html
