"""Form checks that keep the books true: phones that can be dialled, billing cycles that
exist, an agreement for the account's own past-due amount, a dispute no larger than its
bill, a hold that does not start before the account existed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from coopcis.apps.backoffice import protections
from coopcis.apps.billing.models import Bill, BillingCycle
from coopcis.apps.billing.run import run_billing
from coopcis.apps.collections.models import Agreement, CoopHold, Dispute, ThirdPartyContact
from coopcis.apps.collections.run import run_collections
from coopcis.apps.collections.services import make_agreement
from coopcis.apps.members.models import Account, Party
from coopcis.core.errors import RuleViolation
from tests.integration.backoffice.conftest import field_errors

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 13)
CONTACT = {
    "mailing_line1": "PO Box 900",
    "mailing_line2": "",
    "mailing_city": "Alamogordo",
    "mailing_state": "NM",
    "mailing_zip": "88310",
    "phone": "575-437-0000",
    "email": "",
    "language": "EN",
    "paperless": "",
    "billing_cycle": "3",
    "reason": "",
}


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch) -> None:
    monkeypatch.setattr(protections, "today", lambda: TODAY)


@pytest.fixture
def home(small_coop):
    run_billing(period_label="2026-10")
    run_collections(as_of=date(2026, 10, 31))
    return small_coop.home


def _edit(client, account, **changes):
    return client.post(f"/accounts/{account.number}/edit/", CONTACT | changes)


@pytest.mark.parametrize("phone", ["575-000-0000", "682-4411", "12", "call me"])
def test_a_phone_that_cannot_be_dialled_is_refused(client_as, maria, phone):
    response = _edit(client_as("customer_service"), maria.account, phone=phone)
    assert response.status_code == 200
    (error,) = field_errors(response, "phone")
    assert "not a valid phone number" in error or "is not a phone number" in error
    assert Account.objects.get(pk=maria.account.pk).phone == "575-682-9900"


@pytest.mark.parametrize("phone", ["(575) 437-0000", "+52 656 123 4567", ""])
def test_a_dialable_phone_is_kept_as_typed(client_as, maria, phone):
    BillingCycle.objects.create(number=3, read_day=21)
    assert _edit(client_as("customer_service"), maria.account, phone=phone).status_code == 302
    assert Account.objects.get(pk=maria.account.pk).phone == phone


def test_a_new_party_on_an_application_needs_a_real_phone(client_as, maria):
    response = client_as("customer_service").post(
        "/applications/new/",
        {
            "party_kind": "PERSON",
            "party_first_name": "Ana",
            "party_last_name": "Sedillo",
            "party_phone": "555-0000",
            "premise_id": maria.premise.pk,
            "rate_class": "RESIDENTIAL",
            "tariff_code": "ocec-res",
            "membership_kind": "MEMBER",
            "submitted_on": "2026-11-13",
            "requested_on": "2026-11-20",
        },
    )
    assert response.status_code == 200
    assert "not a valid phone number" in " ".join(field_errors(response, "party_phone"))
    assert not Party.objects.filter(last_name="Sedillo").exists()


def test_only_a_billing_cycle_that_exists_may_be_chosen(client_as, maria):
    BillingCycle.objects.create(number=1, read_day=7)
    BillingCycle.objects.create(number=2, read_day=14)
    clerk = client_as("customer_service")
    response = _edit(clerk, maria.account, billing_cycle="9")
    assert field_errors(response, "billing_cycle") == [
        "there is no billing cycle 9; the cycles are: 1, 2"
    ]
    assert _edit(clerk, maria.account, billing_cycle="2").status_code == 302
    assert Account.objects.get(pk=maria.account.pk).billing_cycle == 2


def test_the_agreement_amount_is_the_accounts_past_due_not_what_was_typed(client_as, home):
    clerk = client_as("customer_service")
    page = clerk.get(f"/accounts/{home.number}/collections/agreements/new/")
    assert 'name="total_amount"' in page.text and "disabled" in page.text
    response = clerk.post(
        f"/accounts/{home.number}/collections/agreements/new/",
        {
            "kind": "INSTALLMENT",
            "made_on": "2026-11-13",
            "total_amount": "1.00",  # a tampered form: ignored
            "down_payment_amount": "40.00",
            "installments": "3",
            "first_due_on": "2026-12-01",
            "every_days": "30",
            "terms_text": "",
        },
    )
    assert response.status_code == 302
    assert Agreement.objects.get(account=home).total_amount == Decimal("183.89")
    with pytest.raises(RuleViolation, match=r"past-due amount on 2026-11-13 is \$183.89, not"):
        make_agreement(
            account=home,
            kind="INSTALLMENT",
            made_on=TODAY,
            total_amount=Decimal("100.00"),
            down_payment_amount=Decimal(0),
            installments=2,
            first_due_on=date(2026, 12, 1),
        )
    with pytest.raises(RuleViolation, match="nothing on the account is past due"):
        make_agreement(
            account=home,
            kind="INSTALLMENT",
            made_on=date(2026, 10, 20),  # before the October bill fell due
            down_payment_amount=Decimal(0),
            installments=2,
            first_due_on=date(2026, 12, 1),
        )


def test_a_dispute_is_no_larger_than_the_disputed_bill(client_as, home):
    bill = Bill.objects.get(account=home, period="2026-10")
    clerk = client_as("customer_service")
    data = {"opened_on": "2026-11-13", "description": "estimated read", "bill": bill.pk}
    response = clerk.post(
        f"/accounts/{home.number}/collections/disputes/new/", data | {"amount": "183.90"}
    )
    assert field_errors(response, "amount") == [
        f"the disputed amount $183.90 is more than bill {bill.number}'s $183.89"
    ]
    assert not Dispute.objects.exists()
    response = clerk.post(
        f"/accounts/{home.number}/collections/disputes/new/", data | {"amount": "183.89"}
    )
    assert response.status_code == 302 and Dispute.objects.count() == 1


def test_a_hold_cannot_start_before_the_account_existed(client_as, home):
    clerk = client_as("customer_service")
    before = home.opened_on.replace(year=home.opened_on.year - 1)
    response = clerk.post(
        f"/accounts/{home.number}/collections/holds/new/",
        {"reason": "storm", "on": before.isoformat(), "until": ""},
    )
    assert field_errors(response, "on") == [
        f"the hold cannot start ({before}) before the account was opened ({home.opened_on})"
    ]
    assert not CoopHold.objects.exists()


def test_a_third_partys_phone_is_checked(client_as, home):
    response = client_as("customer_service").post(
        f"/accounts/{home.number}/collections/third-party/new/",
        {
            "name": "Rita Baca",
            "mailing_address": "PO Box 3\nTularosa NM 88352",
            "phone": "911",
            "named_on": "2026-11-13",
        },
    )
    assert "not a valid phone number" in " ".join(field_errors(response, "phone"))
    assert not ThirdPartyContact.objects.exists()
