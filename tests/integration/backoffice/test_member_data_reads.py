"""Every staff read of a member's data is logged (who, which account, what, when, from
where) with one INSERT, and a manager lists the log per account and per staff member."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coopcis.apps.audit.models import AuditEvent, MemberDataRead
from coopcis.apps.billing.models import Bill
from coopcis.apps.billing.run import run_billing
from coopcis.apps.collections.models import ThirdPartyContact
from coopcis.apps.credit.models import DepositReceipt, Guarantor
from coopcis.apps.credit.services import take_deposit
from tests.integration.backoffice.factories import staff_user

pytestmark = pytest.mark.django_db


def reads() -> list[tuple[str, str, str, str]]:
    return list(
        MemberDataRead.objects.order_by("id").values_list(
            "reader_label", "account_number", "kind", "address"
        )
    )


def test_opening_an_account_page_is_logged_with_one_insert(client, maria):
    rosa = staff_user("customer_service", username="rosa")
    client.force_login(rosa)

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/accounts/3100417/", REMOTE_ADDR="10.1.2.3")

    assert response.status_code == 200
    touching = [q["sql"] for q in queries.captured_queries if "audit_memberdataread" in q["sql"]]
    assert len(touching) == 1 and touching[0].startswith("INSERT")
    read = MemberDataRead.objects.get()
    assert (read.reader, read.account_number, read.kind) == (rosa, "3100417", "ACCOUNT_PAGE")
    assert (read.address, read.path) == ("10.1.2.3", "/accounts/3100417/")


def test_refused_and_missing_pages_are_not_reads(client, client_as, maria):
    client.get("/accounts/3100417/")  # anonymous: sent to sign in
    client_as(None).get("/accounts/3100417/")  # no role: 403
    client_as("billing").get("/accounts/9999999/")  # no such account: 404

    assert reads() == []


def test_the_api_logs_a_get_but_not_a_change(client_as, maria):
    clerk = client_as("customer_service")

    assert clerk.get("/api/v1/accounts/3100417").status_code == 200
    clerk.patch(
        "/api/v1/accounts/3100417", data='{"mailing_zip": "88310"}', content_type="application/json"
    )

    assert [(kind, number) for _, number, kind, _ in reads()] == [("ACCOUNT_API", "3100417")]


def test_a_deposit_receipt_pdf_is_a_read_of_its_account(client_as, maria):
    deposit = take_deposit(account=maria.account, amount=Decimal("150.00"), on=date(2026, 3, 2))
    receipt = DepositReceipt.objects.get(deposit=deposit)

    assert client_as("read_only").get(f"/deposit-receipts/{receipt.pk}.pdf").status_code == 200
    assert [(n, k) for _, n, k, _ in reads()] == [("3100417", "RECEIPT_PDF")]


def test_a_bill_pdf_is_a_read_of_its_account(client_as, small_coop):
    run_billing(period_label="2026-10")
    bill = Bill.objects.select_related("account").order_by("id").first()

    assert client_as("billing").get(f"/bills/{bill.pk}.pdf").status_code == 200
    assert [(n, k) for _, n, k, _ in reads()] == [(bill.account.number, "BILL_PDF")]


def test_a_manager_lists_reads_per_account_and_per_staff_member(client, client_as, maria):
    rosa = staff_user("customer_service", username="rosa")
    client.force_login(rosa)
    client.get("/accounts/3100417/")
    client_as("billing").get("/api/v1/accounts/3100417")
    manager = client_as("manager")

    by_account = manager.get("/reads/?account=3100417")
    by_reader = manager.get("/reads/?reader=rosa")

    assert by_account.status_code == 200
    assert [r.reader_label for r in by_account.context["page"].object_list] == [
        MemberDataRead.objects.order_by("-id").first().reader_label,
        "rosa",
    ]
    assert [r.kind for r in by_reader.context["page"].object_list] == ["ACCOUNT_PAGE"]
    assert "account page" in by_reader.text and "/accounts/3100417/" in by_reader.text


@pytest.mark.parametrize("role", ["read_only", "customer_service", "billing", "finance"])
def test_only_managers_list_the_reads(client_as, role):
    assert client_as(role).get("/reads/").status_code == 403


def test_guarantors_and_third_parties_are_audited_like_master_data(maria):
    ThirdPartyContact.objects.create(
        account=maria.account,
        name="Lucia Baca",
        mailing_address="PO Box 5",
        named_on=date(2026, 1, 5),
    )
    Guarantor.objects.create(
        account=maria.account,
        name="Jose Baca",
        mailing_address="PO Box 6",
        amount=Decimal("200.00"),
        starts_on=date(2026, 1, 5),
    )

    events = AuditEvent.objects.filter(account_id=maria.account.pk, action="CREATE")
    assert {"collections.thirdpartycontact", "credit.guarantor"} <= set(
        events.values_list("model", flat=True)
    )
    event = events.get(model="credit.guarantor")
    assert event.changes["name"] == [None, "Jose Baca"]
