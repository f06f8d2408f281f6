"""Applications for service: taken by customer service, decided by managers, connected
into an account; refusals name the field and leave nothing half-written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from coopcis.apps.members.models import Account, Party, ServiceApplication
from coopcis.apps.premises.models import Premise, ServiceAgreement
from tests.factories import PremiseFactory, ServicePointFactory
from tests.integration.backoffice.factories import row_counts

pytestmark = pytest.mark.django_db

NEW_PARTY_AT_NEW_PREMISE = {
    "party_kind": "PERSON",
    "party_first_name": "Tomás",
    "party_last_name": "Herrera",
    "party_phone": "575-585-2200",
    "premise_kind": "RESIDENCE",
    "premise_line1": "31 Sacramento River Rd",
    "premise_city": "Timberon",
    "premise_state": "NM",
    "premise_zip_code": "88350",
    "premise_county": "Otero",
    "premise_district": "SE",
    "rate_class": "RESIDENTIAL",
    "tariff_code": "ocec-res",
    "membership_kind": "MEMBER",
    "submitted_on": "2024-04-02",
    "requested_on": "2024-04-15",
    "deposit_amount": "150.00",
}


def field_errors(response, field: str) -> list[str]:
    return list(response.context["form"].errors.get(field, []))


def submitted(premise=None, party=None) -> ServiceApplication:
    from coopcis.apps.members.services import submit_application

    return submit_application(
        party=party or Party.objects.create(kind="PERSON", first_name="Ana", last_name="Sedillo"),
        premise=premise or PremiseFactory(),
        rate_class="RESIDENTIAL",
        tariff_code="ocec-res",
        submitted_on=date(2024, 4, 2),
        requested_on=date(2024, 4, 15),
    )


def test_customer_service_takes_an_application_for_a_new_party_at_a_new_premise(client_as):
    response = client_as("customer_service").post("/applications/new/", NEW_PARTY_AT_NEW_PREMISE)

    application = ServiceApplication.objects.get()
    assert response.status_code == 302
    assert response.url == f"/applications/{application.pk}/"
    assert application.party.display_name == "Herrera, Tomás"
    assert application.premise.address.one_line() == "31 Sacramento River Rd, Timberon, NM 88350"
    assert application.premise.district == "SE"
    charges = [(c.kind, c.description, c.amount) for c in application.charges.order_by("id")]
    assert charges == [
        ("FEE", "Connect fee, business hours", Decimal("40.00")),
        ("DEPOSIT", "Security deposit", Decimal("150.00")),
    ]


def test_a_new_premise_keeps_its_coordinates_as_typed(client_as):
    client_as("customer_service").post(
        "/applications/new/",
        {**NEW_PARTY_AT_NEW_PREMISE, "premise_latitude": "32.9", "premise_longitude": "-105.75"},
    )
    premise = ServiceApplication.objects.get().premise
    assert (premise.latitude, premise.longitude) == (Decimal("32.9"), Decimal("-105.75"))


def test_an_existing_party_applies_for_an_existing_premise(client_as, maria):
    premise = PremiseFactory(line1="5 Apache Trail")

    response = client_as("customer_service").post(
        "/applications/new/",
        {
            "applicant_account": "3100417",
            "premise_id": str(premise.pk),
            "rate_class": "SMALL_COMMERCIAL",
            "tariff_code": "ocec-gs",
            "membership_kind": "MEMBER",
            "submitted_on": "2024-04-02",
            "requested_on": "2024-04-02",
        },
    )

    assert response.status_code == 302
    application = ServiceApplication.objects.get()
    assert (application.party, application.premise) == (maria.party, premise)
    assert Party.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "form_field", "message"),
    [
        ("premise_zip_code", "ABCDE", "premise_zip_code", "ZIP code must be 12345 or 12345-6789"),
        ("premise_state", "ZZ", "premise_state", "not a US state code: 'ZZ'"),
        ("tariff_code", "ocec-nope", "tariff_code", "unknown tariff 'ocec-nope'"),
        ("requested_on", "2024-04-01", "requested_on", "service cannot be wanted before"),
        ("deposit_amount", "-5", "deposit_amount", "must not be negative: '-5'"),
        ("party_last_name", "", "party_last_name", "a person needs a last name"),
        # coordinates by the one number parser: no exponent, six decimals, within range
        ("premise_latitude", "3.29e1", "premise_latitude", "write the amount in full"),
        ("premise_latitude", "95", "premise_latitude", "at most 90 in size"),
        ("premise_longitude", "-105.1234567", "premise_longitude", "at most 6 decimals"),
    ],
)
def test_a_refused_application_names_the_field_and_writes_nothing(
    client_as, field, value, form_field, message
):
    before = row_counts()

    response = client_as("customer_service").post(
        "/applications/new/", {**NEW_PARTY_AT_NEW_PREMISE, field: value}
    )

    assert response.status_code == 200
    errors = field_errors(response, form_field)
    assert len(errors) == 1 and errors[0].startswith(message), errors
    assert row_counts() == before  # not even the party or the premise


def test_unknown_applicant_account_and_premise_are_named(client_as):
    response = client_as("customer_service").post(
        "/applications/new/",
        {
            **NEW_PARTY_AT_NEW_PREMISE,
            "party_kind": "",
            "applicant_account": "77",
            "premise_id": "9",
        },
    )

    assert field_errors(response, "applicant_account") == ["No account 77."]
    assert field_errors(response, "premise_id") == ["No premise 9."]


@pytest.mark.parametrize("role", ["read_only", "billing", "finance"])
def test_roles_that_may_not_take_applications_get_403(client_as, role):
    response = client_as(role).post("/applications/new/", NEW_PARTY_AT_NEW_PREMISE)

    assert response.status_code == 403
    assert ServiceApplication.objects.count() == 0
    assert Party.objects.count() == 0


def test_customer_service_cannot_decide_and_sees_no_decision_buttons(client_as):
    application = submitted()
    clerk = client_as("customer_service")

    page = clerk.get(f"/applications/{application.pk}/").text
    response = clerk.post(f"/applications/{application.pk}/approve/", {"on": "2024-04-03"})

    assert ">Approve</button>" not in page and ">Decline</button>" not in page
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.status == "SUBMITTED"


def test_a_manager_approves_and_then_connects_opening_the_account(client_as):
    point = ServicePointFactory(code="SP-NEW-1")
    application = submitted(premise=point.premise)
    manager = client_as("manager")
    page = manager.get(f"/applications/{application.pk}/").text
    assert ">Approve</button>" in page and ">Decline</button>" in page

    approved = manager.post(
        f"/applications/{application.pk}/approve/", {"on": "2024-04-03", "note": "credit ok"}
    )
    connected = manager.post(
        f"/applications/{application.pk}/connect/",
        {
            "service_point": "SP-NEW-1",
            "on": "2024-04-15",
            "mailing_line1": "PO Box 12",
            "mailing_city": "Mayhill",
            "mailing_state": "NM",
            "mailing_zip": "88339",
            "language": "EN",
        },
    )

    application.refresh_from_db()
    assert approved.status_code == 302
    assert (application.status, application.decision_note) == ("CONNECTED", "credit ok")
    account = application.account
    assert connected.url == f"/accounts/{account.number}/"
    assert (account.mailing_city, account.opened_on) == ("Mayhill", date(2024, 4, 15))
    assert application.party.membership.kind == "MEMBER"
    agreement = ServiceAgreement.objects.get(account=account)
    assert (agreement.service_point, agreement.tariff_code) == (point, "ocec-res")


def test_connecting_at_a_taken_service_point_is_refused_on_the_date_and_writes_nothing(
    client_as, maria
):
    application = submitted(premise=maria.premise)
    manager = client_as("manager")
    manager.post(f"/applications/{application.pk}/approve/", {"on": "2024-04-03"})
    before = row_counts()

    response = manager.post(
        f"/applications/{application.pk}/connect/",
        {
            "service_point": "SP-417",
            "on": "2024-04-15",
            "mailing_line1": "PO Box 12",
            "mailing_city": "Mayhill",
            "mailing_state": "NM",
            "mailing_zip": "88339",
            "language": "EN",
        },
    )

    assert response.status_code == 200
    errors = response.context["connect_form"].errors["on"]
    assert errors == [
        "Service point SP-417 already has an agreement (ocec-res, account 3100417) "
        "from 2019-03-04 to open"
    ]
    assert row_counts() == before  # no membership, account or agreement half-made
    assert Account.objects.count() == 1


def test_declining_needs_a_reason_named_on_its_field(client_as):
    application = submitted()
    manager = client_as("manager")

    refused = manager.post(f"/applications/{application.pk}/decline/", {"on": "2024-04-03"})
    declined = manager.post(
        f"/applications/{application.pk}/decline/",
        {"on": "2024-04-03", "decision_note": "outside the service area"},
    )

    assert refused.context["decline_form"].errors["decision_note"] == [
        "say why the application is declined"
    ]
    assert declined.status_code == 302
    application.refresh_from_db()
    assert (application.status, application.decision_note) == (
        "DECLINED",
        "outside the service area",
    )


def test_approving_twice_is_refused(client_as):
    application = submitted()
    manager = client_as("manager")
    manager.post(f"/applications/{application.pk}/approve/", {"on": "2024-04-03"})

    again = manager.post(f"/applications/{application.pk}/approve/", {"on": "2024-04-04"})

    assert again.context["approve_form"].non_field_errors() == [
        f"application {application.pk} is approved"
    ]


def test_the_list_shows_open_applications(client_as):
    open_one = submitted(premise=PremiseFactory(line1="8 Open Rd"))
    closed = submitted(premise=PremiseFactory(line1="9 Closed Rd"))
    closed.status = "DECLINED"
    closed.save()

    page = client_as("read_only").get("/applications/").text

    assert "8 Open Rd" in page and f"/applications/{open_one.pk}/" in page
    assert "9 Closed Rd" not in page


def test_an_unknown_application_is_404(client_as):
    assert client_as("manager").get("/applications/999/").status_code == 404
    assert Premise.objects.count() == 0
