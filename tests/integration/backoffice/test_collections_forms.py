"""Collection protections recorded from the account page: each form calls its service and
the protection shows on the Collections card; a refusal is shown against its field and
writes nothing; read-only staff get 403. Notices and deposit receipts open as PDFs.

The small co-op's home is billed for October 2026 ($183.89, due 30 October) and the daily
job opened its case on 31 October (second notice). "Today" is 13 November 2026.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from coopcis.apps.backoffice import protections
from coopcis.apps.billing.models import Bill
from coopcis.apps.billing.run import run_billing
from coopcis.apps.collections.models import (
    Agreement,
    CoopHold,
    Dispute,
    DisputeStatus,
    LiheapQualification,
    MedicalCertificate,
    Notice,
    ThirdPartyContact,
)
from coopcis.apps.collections.run import run_collections
from coopcis.apps.collections.services import name_third_party, open_dispute, place_hold
from coopcis.apps.credit.models import DepositReceipt
from coopcis.apps.credit.services import take_deposit
from tests.integration.backoffice.conftest import account_card, field_errors
from tests.integration.backoffice.factories import staff_user

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 13)


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch) -> None:
    monkeypatch.setattr(protections, "today", lambda: TODAY)


@pytest.fixture
def home(small_coop):
    run_billing(period_label="2026-10")
    run_collections(as_of=date(2026, 10, 31))
    return small_coop.home


@pytest.fixture
def bill(home) -> Bill:
    return Bill.objects.get(account=home, period="2026-10")


def url(account, path: str) -> str:
    return f"/accounts/{account.number}/collections/{path}"


def certificate(bill: Bill, **changes: str) -> dict[str, str]:
    return {
        "bill": str(bill.pk),
        "received_on": "2026-11-10",
        "profession": "PHYSICIAN",
        "certifier_name": "Dr. Ana Chavez",
        "license_number": "NM-MD-4471",
        "ill_person": "Jose Baca",
        "affidavit_of_inability": "on",
        **changes,
    }


# --- seriously-ill certificates ---------------------------------------------------------


def test_a_certificate_is_recorded_for_the_bill_and_shown_in_force(client_as, home, bill):
    clerk = client_as("customer_service")

    response = clerk.post(url(home, "certificates/new/"), certificate(bill))

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/{home.number}/#collections"
    made = MedicalCertificate.objects.get(account=home)
    assert (made.bill_id, made.received_on, made.profession) == (
        bill.pk,
        date(2026, 11, 10),
        "PHYSICIAN",
    )
    assert made.affidavit_of_inability is True
    card = account_card(clerk, home, "collections")
    assert "Dr. Ana Chavez (Physician (medicine), license NM-MD-4471)" in card
    assert f'<td class="mono">{bill.number}</td>' in card
    assert "<td>In force</td>" in card
    assert "Protected today: MEDICAL_CERTIFICATE" in card
    assert "Disconnection stopped" in card  # the medical protection does not pause notices


def test_a_certificate_without_the_affidavit_is_recorded_but_not_in_force(client_as, home, bill):
    clerk = client_as("customer_service")

    clerk.post(url(home, "certificates/new/"), certificate(bill, affidavit_of_inability=""))

    card = account_card(clerk, home, "collections")
    assert "<td>Not in force</td>" in card
    assert "Protected today" not in card


def test_a_certificate_by_an_unlicensed_profession_is_refused(client_as, home, bill):
    response = client_as("customer_service").post(
        url(home, "certificates/new/"), certificate(bill, profession="NURSE")
    )

    assert response.status_code == 200
    assert field_errors(response, "profession") == [
        "the certificate must be signed by a licensed physician, dentist, osteopath or chiropractor"
    ]
    assert 'id="error-profession"' in response.text
    assert MedicalCertificate.objects.count() == 0


def test_the_certificate_form_offers_only_the_accounts_bills_and_today(client_as, home, bill):
    other = Bill.objects.exclude(account=home).first()
    clerk = client_as("customer_service")

    page = clerk.get(url(home, "certificates/new/"))
    refused = clerk.post(url(home, "certificates/new/"), certificate(other))

    assert list(page.context["form"].fields["bill"].queryset) == [bill]
    assert page.context["form"]["received_on"].value() == TODAY
    assert field_errors(refused, "bill") == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert MedicalCertificate.objects.count() == 0


# --- LIHEAP -------------------------------------------------------------------------------


def test_liheap_before_november_15_counts_for_the_coming_season(client_as, home):
    clerk = client_as("customer_service")

    response = clerk.post(
        url(home, "liheap/new/"), {"qualified_on": "2026-11-13", "reference": "LI-2026-881"}
    )

    assert response.status_code == 302
    made = LiheapQualification.objects.get(account=home)
    assert (made.season_start, made.reference) == (date(2026, 11, 15), "LI-2026-881")
    card = account_card(clerk, home, "collections")
    assert "Heating season from 2026-11-15: qualified 2026-11-13 (LI-2026-881)" in card


def test_liheap_needs_a_date(client_as, home):
    response = client_as("customer_service").post(url(home, "liheap/new/"), {"qualified_on": ""})

    assert field_errors(response, "qualified_on") == ["This field is required."]
    assert LiheapQualification.objects.count() == 0


# --- payment agreements -------------------------------------------------------------------

AGREEMENT = {
    "kind": "INSTALLMENT",
    "made_on": "2026-11-13",
    "total_amount": "183.89",
    "down_payment_amount": "40.00",
    "installments": "3",
    "first_due_on": "2026-12-01",
    "every_days": "30",
    "terms_text": "",
}


def test_an_agreement_is_made_and_its_schedule_shown(client_as, home):
    clerk = client_as("customer_service")
    form = clerk.get(url(home, "agreements/new/")).context["form"]

    response = clerk.post(url(home, "agreements/new/"), AGREEMENT)

    assert form["total_amount"].value() == Decimal("183.89")  # past due on the day
    assert response.status_code == 302
    agreement = Agreement.objects.get(account=home)
    assert [(row.due_on, row.amount) for row in agreement.installments.all()] == [
        (date(2026, 11, 13), Decimal("40.00")),
        (date(2026, 12, 1), Decimal("47.96")),
        (date(2026, 12, 31), Decimal("47.96")),
        (date(2027, 1, 30), Decimal("47.97")),
    ]
    card = account_card(clerk, home, "collections")
    assert (
        "<td>Installment agreement</td><td>2026-11-13</td><td>$183.89</td><td>$40.00</td>" in card
    )
    assert "<li>2026-12-31 $47.96</li><li>2027-01-30 $47.97</li>" in card
    assert "<td>Being kept</td>" in card
    assert "Collection paused" in card and "Protected today: AGREEMENT_KEPT" in card


def test_an_agreement_whose_first_installment_is_not_after_it_is_refused(client_as, home):
    response = client_as("customer_service").post(
        url(home, "agreements/new/"), {**AGREEMENT, "first_due_on": "2026-11-13"}
    )

    assert response.status_code == 200
    assert field_errors(response, "first_due_on") == [
        "the first installment is due after the agreement is made"
    ]
    assert Agreement.objects.count() == 0


# --- disputes -------------------------------------------------------------------------------


def test_a_dispute_is_opened_on_a_bill_and_pauses_the_case(client_as, home, bill):
    clerk = client_as("customer_service")

    response = clerk.post(
        url(home, "disputes/new/"),
        {
            "amount": "40.00",
            "opened_on": "2026-11-13",
            "description": "estimated read",
            "bill": bill.pk,
        },
    )

    assert response.status_code == 302
    dispute = Dispute.objects.get(account=home)
    assert (dispute.amount, dispute.bill_id, dispute.status) == (
        Decimal("40.00"),
        bill.pk,
        DisputeStatus.INVESTIGATING,
    )
    card = account_card(clerk, home, "collections")
    assert "<td>estimated read</td>" in card and "Open: under investigation" in card
    assert "Collection paused</strong> on 2026-11-13" in card
    assert "DISPUTE_UNDER_INVESTIGATION — $40.00 disputed since 2026-11-13: estimated read" in card


def test_a_dispute_without_a_description_is_refused(client_as, home):
    response = client_as("customer_service").post(
        url(home, "disputes/new/"),
        {"amount": "40.00", "opened_on": "2026-11-13", "description": " "},
    )

    assert field_errors(response, "description") == ["say what is disputed"]
    assert Dispute.objects.count() == 0


def test_an_open_dispute_is_resolved_once(client_as, home):
    dispute = open_dispute(
        account=home, amount=Decimal("40.00"), opened_on=date(2026, 11, 2), description="read"
    )
    clerk = client_as("customer_service")
    resolve = url(home, f"disputes/{dispute.pk}/resolve/")

    done = clerk.post(resolve, {"on": "2026-11-13", "resolution": "read confirmed"})
    again = clerk.post(resolve, {"on": "2026-11-14", "resolution": "twice"})

    assert done.status_code == 302
    dispute.refresh_from_db()
    assert (dispute.status, dispute.resolved_on, dispute.resolution) == (
        DisputeStatus.RESOLVED,
        date(2026, 11, 13),
        "read confirmed",
    )
    assert again.context["form"].non_field_errors() == [f"dispute {dispute.pk} is already resolved"]
    card = account_card(clerk, home, "collections")
    assert "Resolved 2026-11-13: read confirmed" in card and "Collection paused" not in card


# --- co-op holds --------------------------------------------------------------------------


def test_a_hold_is_placed_then_released(client_as, home):
    clerk = client_as("customer_service")

    placed = clerk.post(
        url(home, "holds/new/"),
        {"reason": "manager review", "on": "2026-11-13", "until": "2026-11-30"},
    )
    hold = CoopHold.objects.get(account=home)
    held_card = account_card(clerk, home, "collections")
    released = clerk.post(url(home, f"holds/{hold.pk}/release/"), {"on": "2026-11-13"})

    assert placed.status_code == 302 and released.status_code == 302
    assert hold.placed_by.startswith("staff:customer_service-clerk")
    assert "<td>manager review</td><td>2026-11-30</td>" in held_card
    assert "<td>Active</td>" in held_card and "Protected today: CO_OP_HOLD" in held_card
    hold.refresh_from_db()
    assert hold.released_on == date(2026, 11, 13)
    card = account_card(clerk, home, "collections")
    assert "<td>Released 2026-11-13</td>" in card and "Collection paused" not in card
    assert clerk.get(url(home, f"holds/{hold.pk}/release/")).status_code == 404


def test_a_hold_without_a_reason_is_refused(client_as, home):
    response = client_as("customer_service").post(
        url(home, "holds/new/"), {"reason": "", "on": "2026-11-13"}
    )

    assert field_errors(response, "reason") == ["say why collection is held"]
    assert CoopHold.objects.count() == 0


# --- third party ----------------------------------------------------------------------------


def test_a_third_party_named_replaces_the_previous_one(client_as, home):
    name_third_party(
        account=home, name="Old Friend", mailing_address="PO Box 1", named_on=date(2025, 1, 2)
    )
    clerk = client_as("customer_service")

    response = clerk.post(
        url(home, "third-party/new/"),
        {
            "name": "Lucia Baca",
            "mailing_address": "PO Box 55\nTularosa NM 88352",
            "phone": "575-585-0101",
            "named_on": "2026-11-13",
        },
    )

    assert response.status_code == 302
    active = ThirdPartyContact.objects.get(account=home, active=True)
    assert (active.name, active.phone) == ("Lucia Baca", "575-585-0101")
    card = account_card(clerk, home, "collections")
    assert "Lucia Baca, PO Box 55<br>Tularosa NM 88352, 575-585-0101" in card
    assert "Old Friend" not in card


def test_a_third_party_needs_a_name_and_address(client_as, home):
    response = client_as("customer_service").post(
        url(home, "third-party/new/"), {"name": "Lucia Baca", "named_on": "2026-11-13"}
    )

    assert field_errors(response, "name") == ["a third party needs a name and a mailing address"]
    assert ThirdPartyContact.objects.count() == 0


# --- who may ------------------------------------------------------------------------------


def test_read_only_may_not_open_or_post_any_form(client_as, home, bill):
    dispute = open_dispute(account=home, amount=Decimal(5), opened_on=TODAY, description="x")
    hold = place_hold(account=home, reason="review", on=TODAY)
    forms = {
        "certificates/new/": certificate(bill),
        "liheap/new/": {"qualified_on": "2026-11-13"},
        "agreements/new/": AGREEMENT,
        "disputes/new/": {"amount": "1", "opened_on": "2026-11-13", "description": "x"},
        f"disputes/{dispute.pk}/resolve/": {"on": "2026-11-13"},
        "holds/new/": {"reason": "x", "on": "2026-11-13"},
        f"holds/{hold.pk}/release/": {"on": "2026-11-13"},
        "third-party/new/": {"name": "x", "mailing_address": "y", "named_on": "2026-11-13"},
    }
    viewer = client_as("read_only")

    for path, data in forms.items():
        assert viewer.get(url(home, path)).status_code == 403, path
        assert viewer.post(url(home, path), data).status_code == 403, path

    assert MedicalCertificate.objects.count() + Agreement.objects.count() == 0
    assert LiheapQualification.objects.count() + ThirdPartyContact.objects.count() == 0
    assert Dispute.objects.get().status == DisputeStatus.INVESTIGATING
    assert CoopHold.objects.count() == 1 and CoopHold.objects.get().released_on is None


@pytest.mark.parametrize(
    ("role", "shown"), [("read_only", False), ("billing", False), ("customer_service", True)]
)
def test_the_buttons_show_only_to_roles_that_may_record(client_as, home, role, shown):
    dispute = open_dispute(account=home, amount=Decimal(5), opened_on=TODAY, description="x")

    card = account_card(client_as(role), home, "collections")

    for label in ("Record certificate", "Record LIHEAP", "Make payment agreement",
                  "Open dispute", "Place hold", "Name third party"):  # fmt: skip
        assert (label in card) is shown, label
    assert (f"disputes/{dispute.pk}/resolve/" in card) is shown


def test_a_manager_may_record_and_the_post_is_csrf_protected(home):
    manager = Client(enforce_csrf_checks=True)
    manager.force_login(staff_user("manager"))
    data = {"reason": "storm emergency", "on": "2026-11-13"}

    without_token = manager.post(url(home, "holds/new/"), data)
    page = manager.get(url(home, "holds/new/"))
    with_token = manager.post(
        url(home, "holds/new/"), {**data, "csrfmiddlewaretoken": page.context["csrf_token"]}
    )

    assert without_token.status_code == 403
    assert with_token.status_code == 302
    assert list(CoopHold.objects.values_list("reason", flat=True)) == ["storm emergency"]


# --- PDFs ---------------------------------------------------------------------------------


def test_a_notice_opens_as_its_pdf_from_the_notices_table(client_as, home):
    notice = Notice.objects.get(account=home, kind="SECOND")
    viewer = client_as("read_only")

    card = account_card(viewer, home, "collections")
    response = viewer.get(f"/notices/{notice.pk}.pdf")

    assert f'href="/notices/{notice.pk}.pdf"' in card
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == bytes(notice.pdf) and response.content.startswith(b"%PDF")
    assert viewer.get(f"/notices/{notice.pk + 1000}.pdf").status_code == 404


def test_a_deposit_receipt_opens_as_its_pdf_from_the_deposits_card(client_as, maria):
    deposit = take_deposit(account=maria.account, amount=Decimal("150.00"), on=date(2026, 3, 2))
    receipt = DepositReceipt.objects.get(deposit=deposit)
    viewer = client_as("read_only")

    html = viewer.get("/accounts/3100417/").text
    response = viewer.get(f"/deposit-receipts/{receipt.pk}.pdf")

    assert f'href="/deposit-receipts/{receipt.pk}.pdf"' in html
    assert "Spanish 2026-03-02 (PDF)" in html  # Maria reads Spanish
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and response.content == bytes(receipt.pdf)
    assert viewer.get(f"/deposit-receipts/{receipt.pk + 1000}.pdf").status_code == 404
