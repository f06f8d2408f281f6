"""JSON API v1: account read and update, applications, meter installation.

404 ``{"error"}`` for unknown ids, 400 ``{"errors": {field: [message]}}`` for bad input,
403 for roles without the permission; a refused change writes nothing."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from coopcis.apps.members.models import Account, ServiceApplication
from coopcis.apps.metering.models import MeterInstallation
from tests.factories import MeterFactory, ServicePointFactory
from tests.integration.backoffice.factories import row_counts, staff_user

pytestmark = pytest.mark.django_db

APPLICATION = {
    "party": {"kind": "PERSON", "first_name": "Lupe", "last_name": "Montoya"},
    "premise": {
        "kind": "FARM",
        "line1": "400 Dog Canyon Rd",
        "city": "Alamogordo",
        "state": "NM",
        "zip_code": "88310",
        "county": "Otero",
        "district": "SW",
        "latitude": "32.8",
        "longitude": "-105.9",
    },
    "rate_class": "IRRIGATION",
    "tariff_code": "ocec-gs",
    "submitted_on": "2024-04-02",
    "requested_on": "2024-05-01",
}


def send(client: Client, method: str, url: str, body: object):
    data = body if isinstance(body, str) else json.dumps(body)
    return getattr(client, method)(url, data=data, content_type="application/json")


def test_get_account_returns_party_membership_points_meters_and_agreements(client_as, maria):
    response = client_as("read_only").get("/api/v1/accounts/3100417")

    assert response.status_code == 200
    body = response.json()
    assert body["number"] == "3100417"
    assert body["due_days"] == 20
    assert body["party"]["name"] == "Baca, Maria"
    assert body["membership"] == {
        "number": "104417",
        "kind": "MEMBER",
        "status": "ACTIVE",
        "joined_on": "2019-03-04",
        "ended_on": None,
    }
    assert body["bank_draft"]["bank_account_number"] == "••••••5678"
    (point,) = body["service_points"]
    assert (point["code"], point["district"], point["feeder"]) == ("SP-417", "NE", "CC-4")
    assert point["meters"] == [
        {"serial": "OLD55501", "installed_on": "2019-03-04", "removed_on": "2023-05-10"},
        {"serial": "AMI77120", "installed_on": "2023-05-10", "removed_on": None},
    ]
    (agreement,) = body["agreements"]
    assert (agreement["tariff_code"], agreement["start_on"], agreement["end_on"]) == (
        "ocec-res",
        "2019-03-04",
        None,
    )
    assert agreement["loss_factor"] == "0.02500"


def test_unknown_account_is_404(client_as):
    response = client_as("read_only").get("/api/v1/accounts/123")

    assert response.status_code == 404
    assert response.json() == {"error": "no account 123"}


def test_patch_updates_the_account(client_as, maria):
    response = send(
        client_as("customer_service"),
        "patch",
        "/api/v1/accounts/3100417",
        {"phone": "575-682-1111", "paperless": False, "reason": "by phone"},
    )

    assert response.status_code == 200
    assert (response.json()["phone"], response.json()["paperless"]) == ("575-682-1111", False)
    account = Account.objects.get(number="3100417")
    assert (account.phone, account.paperless) == ("575-682-1111", False)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"mailing_zip": "883"}, "mailing_zip", "ZIP code must be 12345 or 12345-6789: '883'"),
        ({"mailing_state": "QQ"}, "mailing_state", "not a US state code: 'QQ'"),
        ({"autopay": True}, "autopay", "cannot be changed here"),
        ({"billing_cycle": "often"}, "billing_cycle", "“often” value must be an integer."),
        ("{not json", "__all__", "the body is not valid JSON"),
        ("[1, 2]", "__all__", "the body must be a JSON object"),
        ("[" * 100_000, "__all__", "the body is nested too deeply"),
    ],
)
def test_patch_refusals_name_the_field_and_write_nothing(client_as, maria, body, field, message):
    client = client_as("customer_service")
    before = row_counts()

    response = send(client, "patch", "/api/v1/accounts/3100417", body)

    assert response.status_code == 400
    (errors,) = response.json()["errors"].items()
    assert errors[0] == field
    assert errors[1][0].startswith(message), errors
    assert row_counts() == before


def test_patch_by_read_only_is_403(client_as, maria):
    response = send(client_as("read_only"), "patch", "/api/v1/accounts/3100417", {"phone": "1"})

    assert response.status_code == 403
    assert Account.objects.get(number="3100417").phone == "575-682-9900"


def test_csrf_is_enforced_for_session_clients(maria):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user("customer_service"))
    client.get("/accounts/3100417/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value

    refused = send(client, "patch", "/api/v1/accounts/3100417", {"phone": "575-682-0000"})
    accepted = client.patch(
        "/api/v1/accounts/3100417",
        data=json.dumps({"phone": "575-682-0000"}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )

    assert refused.status_code == 403
    assert accepted.status_code == 200


def test_post_application_for_a_new_party_at_a_new_premise(client_as):
    response = send(client_as("customer_service"), "post", "/api/v1/applications", APPLICATION)

    assert response.status_code == 201
    body = response.json()
    application = ServiceApplication.objects.get(pk=body["id"])
    assert application.party.display_name == "Montoya, Lupe"
    assert str(application.premise.latitude) == "32.800000"
    assert body["charges"] == [
        {"kind": "FEE", "description": "Connect fee, business hours", "amount": "40.00"}
    ]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"premise": {**APPLICATION["premise"], "zip_code": "8831O"}}, "premise.zip_code", "ZIP"),
        ({"premise": {**APPLICATION["premise"], "district": "XX"}}, "premise.district", "not a"),
        ({"party": {"kind": "PERSON", "first_name": "Lupe"}}, "party.last_name", "a person"),
        ({"requested_on": "2024-13-01"}, "requested_on", "not a date (YYYY-MM-DD)"),
        ({"submitted_on": None}, "submitted_on", "this date is required"),
        ({"rate_class": "HOUSE"}, "rate_class", "not one of"),
        ({"tariff_code": "sec-99"}, "tariff_code", "unknown tariff 'sec-99'"),
        ({"party_id": 1}, "party", "give either an existing party or a new one"),
        ({"deposit_amount": "1e3"}, "deposit_amount", "write the amount in full"),
        ({"deposit_amount": "10000000000.00"}, "deposit_amount", "more than the most"),
        ({"deposit_amount": 150.5}, "deposit_amount", "send money as a string"),
        (
            {"premise": {**APPLICATION["premise"], "latitude": "1e309"}},
            "premise.latitude",
            "write the amount in full, without an exponent",
        ),
        (
            {"premise": {**APPLICATION["premise"], "latitude": 1e309}},
            "premise.latitude",
            "not an amount: 'inf'",
        ),
        (
            {"premise": {**APPLICATION["premise"], "longitude": "-181"}},
            "premise.longitude",
            "at most 180 in size",
        ),
        (
            {"premise": {**APPLICATION["premise"], "latitude": "32.1234567"}},
            "premise.latitude",
            "at most 6 decimals",
        ),
    ],
)
def test_post_application_refusals_name_the_field_and_write_nothing(
    client_as, maria, change, field, message
):
    before = row_counts()
    body = {**APPLICATION, **change}
    if "party_id" in change:
        body["party_id"] = maria.party.pk

    response = send(client_as("customer_service"), "post", "/api/v1/applications", body)

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == [field]
    assert errors[field][0].startswith(message), errors
    assert row_counts() == before


def test_post_application_for_unknown_party_or_premise_is_404(client_as):
    client = client_as("customer_service")
    body = {k: v for k, v in APPLICATION.items() if k != "party"}

    response = send(client, "post", "/api/v1/applications", {**body, "party_id": 4040})

    assert response.status_code == 404
    assert response.json() == {"error": "no party 4040"}


def test_post_application_by_billing_is_403(client_as):
    response = send(client_as("billing"), "post", "/api/v1/applications", APPLICATION)

    assert response.status_code == 403
    assert ServiceApplication.objects.count() == 0


def test_install_meter(client_as):
    MeterFactory(serial="AMI50001")
    ServicePointFactory(code="SP-900")

    response = send(
        client_as("billing"),
        "post",
        "/api/v1/meters/AMI50001/install",
        {"service_point": "SP-900", "installed_on": "2024-06-01"},
    )

    assert response.status_code == 201
    assert response.json() == {
        "meter": "AMI50001",
        "service_point": "SP-900",
        "installed_on": "2024-06-01",
    }
    assert MeterInstallation.objects.get().service_point.code == "SP-900"


def test_install_a_meter_that_is_elsewhere_is_400_on_meter(client_as, maria):
    ServicePointFactory(code="SP-900")
    before = row_counts()

    response = send(
        client_as("billing"),
        "post",
        "/api/v1/meters/AMI77120/install",
        {"service_point": "SP-900", "installed_on": "2024-06-01"},
    )

    assert response.status_code == 400
    assert response.json() == {
        "errors": {
            "meter": ["meter AMI77120 is installed at SP-417 from 2023-05-10; remove it first"]
        }
    }
    assert row_counts() == before


@pytest.mark.parametrize(
    ("url", "body", "error"),
    [
        ("/api/v1/meters/NOPE/install", {"service_point": "SP-417"}, "no meter NOPE"),
        ("/api/v1/meters/AMI77120/install", {"service_point": "SP-0"}, "no service point 'SP-0'"),
    ],
)
def test_install_with_unknown_ids_is_404(client_as, maria, url, body, error):
    response = send(client_as("billing"), "post", url, {**body, "installed_on": "2024-06-01"})

    assert response.status_code == 404
    assert response.json() == {"error": error}


def test_install_with_a_bad_date_is_400(client_as, maria):
    ServicePointFactory(code="SP-900")
    response = send(
        client_as("billing"),
        "post",
        "/api/v1/meters/AMI77120/install",
        {"service_point": "SP-900", "installed_on": "June 1st"},
    )

    assert response.status_code == 400
    assert response.json() == {"errors": {"installed_on": ["not a date (YYYY-MM-DD): 'June 1st'"]}}


@pytest.mark.parametrize("role", ["read_only", "customer_service", "finance"])
def test_install_by_other_roles_is_403(client_as, maria, role):
    ServicePointFactory(code="SP-900")
    MeterFactory(serial="AMI50002")

    response = send(
        client_as(role),
        "post",
        "/api/v1/meters/AMI50002/install",
        {"service_point": "SP-900", "installed_on": "2024-06-01"},
    )

    assert response.status_code == 403
    assert MeterInstallation.objects.filter(meter__serial="AMI50002").count() == 0
