"""The account page shows the party, membership, account, premises, meters, agreements,
applications and history, in a fixed number of queries."""

from __future__ import annotations

from datetime import date

import pytest

from coopcis.apps.audit.context import acting_as
from coopcis.apps.billing.models import BillingCycle
from coopcis.apps.members.models import ServiceApplication
from coopcis.apps.members.services import update_account
from tests.factories import MeterInstallationFactory, ServiceAgreementFactory, ServicePointFactory

pytestmark = pytest.mark.django_db

#: Session, user, permissions (2), role groups, account (+party, membership, draft),
#: membership events, agreements, installations, applications, charges, history, bills,
#: balance, payments (+ the charges they paid), open charges, collection case, notices,
#: deposits (their events are one more query only when the account has deposits); the
#: notes card; the usage card: agreements, bills, meter installations, reads, interval data;
#: the net-metering card's one query (whether the account has any net metering);
#: every payment for the history; one per kind of record the history links to, for their
#: names (party, premise, service point, account); the capital-credits card: credits,
#: payouts; the loans card (loans, what their billed installments still owe) and the
#: rebate claims card; the life-support card (the account's certificates); and the one
#: INSERT that logs the read (audit.MemberDataRead).
ACCOUNT_PAGE_QUERIES = 38


def section(html: str, section_id: str) -> str:
    return html.split(f'id="{section_id}"')[1].split("</section>")[0]


@pytest.fixture
def page(client_as, maria):
    return client_as("read_only").get("/accounts/3100417/").text


def test_party_with_contact(page):
    party = section(page, "party")
    assert "Baca, Maria" in party
    assert "(575) 682-4411" in party
    assert "mbaca@example.org" in party


def test_membership_number_kind_status_dates_and_events(page):
    membership = section(page, "membership")
    assert "104417" in membership
    assert "Member" in membership
    assert "Active" in membership and "votes" in membership
    assert "2019-03-04 Joined" in membership


def test_account_details_with_due_days_from_the_profile_and_masked_bank_account(page):
    details = section(page, "account-details")
    assert "Residential" in details
    assert "20 days after the bill date" in details  # OCEC profile: 20 days for every class
    assert "<dd>3</dd>" in details  # billing cycle
    assert "PO Box 817, Cloudcroft, NM 88317" in details
    assert "Spanish" in details
    assert "<dt>Paperless</dt><dd>Yes</dd>" in details
    assert "<dt>Autopay</dt><dd>Yes</dd>" in details
    assert "25th of the month, First Federal checking" in details
    assert "••••••5678" in details
    assert "0012345678" not in page
    assert "107002312" not in page  # routing number, not even in the history


def test_premise_service_point_and_meter_history(page):
    premises = section(page, "premises")
    assert "1207 James Canyon Hwy, Cloudcroft, NM 88317" in premises
    assert "District NE (Northeast)" in premises
    assert "32.957310, -105.742110" in premises
    assert "SP-417" in premises and "CC-4" in premises and "TX-88017" in premises
    assert "OLD55501</span> 2019-03-04 → 2023-05-10 (AMI upgrade)" in premises
    assert "AMI77120</span> 2023-05-10 → in service" in premises


def test_agreements_with_tariff_dates_and_loss_factor(page):
    agreements = section(page, "agreements")
    assert "ocec-res" in agreements
    assert "2019-03-04" in agreements and "open" in agreements
    assert "0.02500" in agreements


def test_history_shows_who_when_and_each_field_before_and_after(client_as, maria):
    clerk = client_as("customer_service")
    with acting_as(user=None, label="staff:jlucero"):
        update_account(account=maria.account, phone="575-682-1000", reason="member called")

    history = section(clerk.get("/accounts/3100417/").text, "history")

    assert "staff:jlucero" in history
    assert "Account: Account 3100417 changed" in history
    assert "“member called”" in history
    assert "Phone</span>: 575-682-9900 → 575-682-1000" in history
    assert "Membership: Membership 104417 (Active) created" in history  # the membership
    assert "Party: Baca, Maria created" in history  # the party
    assert "Agreement: ocec-res at SP-417" in history  # the agreement
    assert "Bank account number</span>: — → ••••••5678" in history  # the bank draft, masked
    # by field labels and names, never party_id: — → 421 or RESIDENTIAL
    assert "Party</span>: — → Baca, Maria" in history
    assert "Rate class</span>: — → Residential" in history
    assert "Paperless</span>: — → yes" in history
    assert "party_id" not in history and "RESIDENTIAL" not in history


def test_applications_of_the_party(client_as, maria):
    ServiceApplication.objects.create(
        party=maria.party,
        premise=maria.premise,
        rate_class="RESIDENTIAL",
        tariff_code="ocec-res-tou",
        submitted_on=date(2024, 2, 1),
        requested_on=date(2024, 3, 1),
    )

    applications = section(client_as("read_only").get("/accounts/3100417/").text, "applications")

    assert "ocec-res-tou" in applications
    assert "2024-02-01" in applications
    assert "Submitted" in applications


def test_an_unknown_account_number_is_a_404_page(client_as):
    response = client_as("read_only").get("/accounts/9999999/")

    assert response.status_code == 404
    assert "There is no account 9999999." in response.text


def test_read_only_sees_no_change_buttons(page):
    assert "Edit contact and preferences" not in page
    assert "Install meter" not in page
    assert "Start agreement" not in page
    assert "New application" not in page


def test_billing_sees_meter_and_agreement_buttons_but_not_account_edit(client_as, maria):
    page = client_as("billing").get("/accounts/3100417/").text

    assert "Install meter" in page and "Remove meter" in page and "Start agreement" in page
    assert "Edit contact and preferences" not in page


def test_account_page_query_count_does_not_grow_with_history(
    client_as, maria, django_assert_max_num_queries
):
    clerk = client_as("read_only")
    for number in range(15):
        point = ServicePointFactory(premise=maria.premise)
        ServiceAgreementFactory(account=maria.account, service_point=point, end_on=None)
        MeterInstallationFactory(service_point=point)
        BillingCycle.objects.get_or_create(number=number + 1, defaults={"read_day": number + 1})
        update_account(account=maria.account, billing_cycle=number + 1)

    with django_assert_max_num_queries(ACCOUNT_PAGE_QUERIES):
        response = clerk.get("/accounts/3100417/")

    assert response.text.count("James Canyon Hwy") == 1  # one premise, sixteen points
    assert response.text.count("ocec-res") >= 16
