"""Changes from the account page: refused with the field named and nothing written;
allowed only to the roles that may make them (checked on the server, 403)."""

from __future__ import annotations

from datetime import date

import pytest

from coopcis.apps.audit.models import AuditEvent
from coopcis.apps.billing.models import BillingCycle
from coopcis.apps.members.models import Account, Membership
from coopcis.apps.metering.models import MeterInstallation
from coopcis.apps.premises.models import ServiceAgreement
from tests.factories import MeterFactory, PartyFactory
from tests.integration.backoffice.factories import account_at_new_point, row_counts

pytestmark = pytest.mark.django_db

GOOD_CONTACT = {
    "mailing_line1": "PO Box 900",
    "mailing_line2": "",
    "mailing_city": "Alamogordo",
    "mailing_state": "nm",
    "mailing_zip": "88310",
    "phone": "575-437-0000",
    "email": "maria@example.org",
    "language": "EN",
    "paperless": "",
    "billing_cycle": "4",
    "reason": "moved to town",
}


@pytest.fixture(autouse=True)
def billing_cycles(db) -> None:
    """The co-op's four read cycles: an account may only move to one that exists."""
    for number in range(1, 5):
        BillingCycle.objects.create(number=number, read_day=number * 7)


def field_errors(response, field: str) -> list[str]:
    return list(response.context["form"].errors.get(field, []))


# --- editing contact and preferences -------------------------------------------------


def test_customer_service_changes_contact_and_the_history_says_who(client_as, maria):
    clerk = client_as("customer_service")

    response = clerk.post("/accounts/3100417/edit/", GOOD_CONTACT)

    assert response.status_code == 302
    account = Account.objects.get(number="3100417")
    assert (account.mailing_line1, account.mailing_city, account.mailing_state) == (
        "PO Box 900",
        "Alamogordo",
        "NM",
    )
    assert (account.paperless, account.language, account.billing_cycle) == (False, "EN", 4)
    event = AuditEvent.objects.filter(model="members.account").latest("id")
    assert event.actor_label.startswith("staff:customer_service-clerk")
    assert event.reason == "moved to town"
    assert event.changes["mailing_zip"] == ["88317", "88310"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("mailing_zip", "8831", "ZIP code must be 12345 or 12345-6789: '8831'"),
        ("mailing_zip", "88-310", "ZIP code must be 12345 or 12345-6789: '88-310'"),
        ("mailing_state", "XX", "not a US state code: 'XX'"),
        ("mailing_state", "New Mexico", "not a US state code: 'NEW MEXICO'"),
        ("mailing_city", "88310", "not a city name: '88310'"),
    ],
)
def test_a_malformed_address_is_refused_against_its_field_and_nothing_written(
    client_as, maria, field, value, message
):
    clerk = client_as("customer_service")
    before = row_counts()

    response = clerk.post("/accounts/3100417/edit/", {**GOOD_CONTACT, field: value})

    assert response.status_code == 200
    assert field_errors(response, field) == [message]
    assert f'id="error-{field}"' in response.text
    assert row_counts() == before
    assert Account.objects.get(number="3100417").mailing_line1 == "PO Box 817"


@pytest.mark.parametrize("role", ["read_only", "billing", "finance"])
def test_roles_that_may_not_edit_accounts_get_403_and_nothing_changes(client_as, maria, role):
    clerk = client_as(role)

    assert clerk.get("/accounts/3100417/edit/").status_code == 403
    response = clerk.post("/accounts/3100417/edit/", GOOD_CONTACT)

    assert response.status_code == 403
    assert "may not edit accounts" in response.text
    assert Account.objects.get(number="3100417").mailing_line1 == "PO Box 817"


def test_editing_an_unknown_account_is_404(client_as):
    assert client_as("manager").get("/accounts/404404/edit/").status_code == 404


# --- membership: one per party ----------------------------------------------------------


def test_a_second_membership_for_the_same_party_is_refused_on_the_party_field(client_as, maria):
    clerk = client_as("customer_service")
    before = row_counts()

    response = clerk.post(
        "/accounts/3100417/membership/new/",
        {"party": str(maria.party.pk), "kind": "MEMBER", "joined_on": "2024-05-01"},
    )

    assert response.status_code == 200
    assert field_errors(response, "party") == [
        "Baca, Maria already has membership 104417; one membership per person"
    ]
    assert row_counts() == before


def test_a_party_without_membership_is_enrolled(client_as):
    account = account_at_new_point(party=PartyFactory(last_name="Gallegos"), number="3200001")[0]

    response = client_as("customer_service").post(
        "/accounts/3200001/membership/new/",
        {"party": str(account.party.pk), "kind": "NON_MEMBER", "joined_on": "2024-05-01"},
    )

    assert response.status_code == 302
    membership = Membership.objects.get(party=account.party)
    assert (membership.kind, membership.joined_on) == ("NON_MEMBER", date(2024, 5, 1))
    assert [event.kind for event in membership.events.all()] == ["JOINED"]


# --- meters: one place at a time -------------------------------------------------------


def test_a_meter_installed_elsewhere_is_refused_on_the_meter_field(client_as, maria):
    account_at_new_point(number="3200002")
    other_point = ServiceAgreement.objects.get(account__number="3200002").service_point
    before = row_counts()

    response = client_as("billing").post(
        "/accounts/3200002/meters/install/",
        {"service_point": other_point.code, "meter": "AMI77120", "installed_on": "2024-06-01"},
    )

    assert response.status_code == 200
    assert field_errors(response, "meter") == [
        "meter AMI77120 is installed at SP-417 from 2023-05-10; remove it first"
    ]
    assert row_counts() == before


def test_a_meter_cannot_go_back_in_time_over_its_earlier_installation(client_as, maria):
    response = client_as("billing").post(
        "/accounts/3100417/meters/install/",
        {"service_point": "SP-417", "meter": "OLD55501", "installed_on": "2022-01-01"},
    )

    assert field_errors(response, "meter") == [
        "meter OLD55501 is installed at SP-417 from 2019-03-04 to 2023-05-10; remove it first"
    ]


def test_unknown_meter_or_service_point_is_named(client_as, maria):
    response = client_as("billing").post(
        "/accounts/3100417/meters/install/",
        {"service_point": "SP-NOPE", "meter": "NOPE", "installed_on": "2024-06-01"},
    )

    assert field_errors(response, "service_point") == ["No service point SP-NOPE."]
    assert field_errors(response, "meter") == ["No meter with serial NOPE."]


def test_billing_removes_then_installs_a_meter(client_as, maria):
    clerk = client_as("billing")
    spare = MeterFactory(serial="AMI90001")

    removed = clerk.post(
        "/accounts/3100417/meters/remove/",
        {"meter": "AMI77120", "removed_on": "2024-06-01", "reason": "failed"},
    )
    installed = clerk.post(
        "/accounts/3100417/meters/install/",
        {"service_point": "SP-417", "meter": "ami90001", "installed_on": "2024-06-01"},
    )

    assert (removed.status_code, installed.status_code) == (302, 302)
    history = MeterInstallation.objects.filter(service_point=maria.service_point)
    assert [(i.meter.serial, i.installed_on, i.removed_on) for i in history] == [
        ("OLD55501", date(2019, 3, 4), date(2023, 5, 10)),
        ("AMI77120", date(2023, 5, 10), date(2024, 6, 1)),
        ("AMI90001", date(2024, 6, 1), None),
    ]
    assert spare.installations.get().removal_reason == ""


def test_removing_before_installation_is_refused_on_removed_on(client_as, maria):
    response = client_as("billing").post(
        "/accounts/3100417/meters/remove/", {"meter": "AMI77120", "removed_on": "2023-05-10"}
    )

    assert field_errors(response, "removed_on") == [
        "a meter must be removed after it was installed"
    ]


@pytest.mark.parametrize("role", ["read_only", "customer_service", "finance"])
def test_only_billing_and_managers_install_meters(client_as, maria, role):
    MeterFactory(serial="AMI90002")
    before = MeterInstallation.objects.count()

    response = client_as(role).post(
        "/accounts/3100417/meters/install/",
        {"service_point": "SP-417", "meter": "AMI90002", "installed_on": "2024-06-01"},
    )

    assert response.status_code == 403
    assert MeterInstallation.objects.count() == before


# --- agreements: never overlapping on one service point --------------------------------


def test_an_overlapping_agreement_is_refused_on_start_on_and_nothing_written(client_as, maria):
    account_at_new_point(number="3200003")
    before = row_counts()

    response = client_as("billing").post(
        "/accounts/3200003/agreements/new/",
        {"service_point": "SP-417", "tariff_code": "ocec-gs", "start_on": "2024-01-01"},
    )

    assert response.status_code == 200
    assert field_errors(response, "start_on") == [
        "Service point SP-417 already has an agreement (ocec-res, account 3100417) "
        "from 2019-03-04 to open"
    ]
    assert row_counts() == before


def test_an_unknown_tariff_is_refused_on_tariff_code(client_as, maria):
    maria.agreement.end_on = date(2024, 1, 1)
    maria.agreement.save()

    response = client_as("billing").post(
        "/accounts/3100417/agreements/new/",
        {"service_point": "SP-417", "tariff_code": "ocec-xyz", "start_on": "2024-01-01"},
    )

    assert field_errors(response, "tariff_code")[0].startswith("unknown tariff 'ocec-xyz'")


def test_billing_ends_an_agreement_and_starts_the_next(client_as, maria):
    clerk = client_as("billing")

    ended = clerk.post(
        f"/accounts/3100417/agreements/{maria.agreement.pk}/end/",
        {"end_on": "2024-07-01", "reason": "rate change"},
    )
    started = clerk.post(
        "/accounts/3100417/agreements/new/",
        {
            "service_point": "SP-417",
            "tariff_code": "ocec-res-tou",
            "start_on": "2024-07-01",
            "loss_factor": "0",
        },
    )

    assert (ended.status_code, started.status_code) == (302, 302)
    agreements = ServiceAgreement.objects.filter(service_point=maria.service_point)
    assert [(a.tariff_code, a.start_on, a.end_on) for a in agreements] == [
        ("ocec-res", date(2019, 3, 4), date(2024, 7, 1)),
        ("ocec-res-tou", date(2024, 7, 1), None),
    ]


def test_an_agreement_of_another_account_is_not_found_here(client_as, maria):
    account_at_new_point(number="3200004")

    response = client_as("billing").get(f"/accounts/3200004/agreements/{maria.agreement.pk}/end/")

    assert response.status_code == 404


@pytest.mark.parametrize("role", ["read_only", "customer_service"])
def test_only_billing_and_managers_start_agreements(client_as, maria, role):
    response = client_as(role).post(
        "/accounts/3100417/agreements/new/",
        {"service_point": "SP-417", "tariff_code": "ocec-gs", "start_on": "2030-01-01"},
    )

    assert response.status_code == 403


def test_a_manager_may_do_billing_changes(client_as, maria):
    response = client_as("manager").get("/accounts/3100417/meters/install/")

    assert response.status_code == 200
