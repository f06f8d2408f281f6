"""A change of mailing address is a request: the member asks in the portal (the address
checked as every mailing address is), staff confirm it (the account's address changes,
audited) or decline it with a reason the member reads; in English and Spanish."""

from __future__ import annotations

import pytest
from django.test import Client

from coopcis.apps.audit.models import AuditEvent
from coopcis.apps.members.models import Account, AddressChangeRequest
from coopcis.apps.portal.models import LinkRole
from tests.integration.backoffice.factories import staff_user
from tests.integration.portal.factories import billed_account, member

pytestmark = pytest.mark.django_db

NEW = {
    "line1": "  418 Calle  del Norte ",
    "line2": "Apt 2",
    "city": "Socorro",
    "state": "nm",
    "zip_code": "87801",
}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def signed_in(role: str = LinkRole.HOLDER, language: str = "EN") -> tuple[Client, Account]:
    account = billed_account(
        account_fields={
            "mailing_line1": "12 Old Road",
            "mailing_city": "Magdalena",
            "mailing_zip": "87825",
            "language": language,
        }
    ).account
    client = Client()
    client.force_login(member("ana@example.org", account, role=role))
    return client, account


def staff(role: str = "customer_service") -> Client:
    client = Client()
    client.force_login(staff_user(role))
    return client


def test_staff_confirm_the_requested_address_and_the_change_is_audited(db):
    client, account = signed_in()
    url = f"/portal/accounts/{account.number}/service/address/"

    asked = client.post(url, NEW)

    assert asked.status_code == 302
    request = AddressChangeRequest.objects.get()
    # tidied as the account would store it; the account itself unchanged until confirmed
    assert (request.line1, request.state, request.requested_by) == (
        "418 Calle del Norte",
        "NM",
        "portal:ana@example.org",
    )
    account.refresh_from_db()
    assert account.mailing_line1 == "12 Old Road"
    page = client.get(url).content.decode()
    assert 'data-testid="address-waiting"' in page and "418 Calle del Norte" in page
    queue = staff("read_only").get("/work/addresses/").content.decode()
    assert "418 Calle del Norte, Apt 2, Socorro, NM 87801" in queue
    assert "<form" not in queue.split("<main")[1]  # read-only staff cannot answer

    confirmed = staff().post(f"/work/addresses/{request.pk}/confirm/")

    assert confirmed.status_code == 302
    account.refresh_from_db()
    assert (
        account.mailing_line1,
        account.mailing_line2,
        account.mailing_city,
        account.mailing_state,
        account.mailing_zip,
    ) == ("418 Calle del Norte", "Apt 2", "Socorro", "NM", "87801")
    event = (
        AuditEvent.objects.filter(model__iendswith=".account", object_pk=str(account.pk))
        .order_by("-id")
        .first()
    )
    assert event is not None and event.changes["mailing_line1"] == [
        "12 Old Road",
        "418 Calle del Norte",
    ]
    assert event.reason == f"mailing address change request {request.pk} confirmed"
    request.refresh_from_db()
    assert request.status == "CONFIRMED" and request.decided_by
    answer = client.get(url).content.decode()
    assert "mail now goes to 418 Calle del Norte, Apt 2, Socorro, NM 87801" in answer
    # answered: nothing waits any more, and a second answer is refused
    again = staff().post(f"/work/addresses/{request.pk}/confirm/", follow=True)
    assert "already answered (confirmed)" in again.content.decode()


def test_staff_decline_with_a_reason_the_member_reads_in_spanish(db):
    client, account = signed_in(language="ES")
    client.post(f"/portal/accounts/{account.number}/service/address/", NEW)
    request = AddressChangeRequest.objects.get()
    clerk = staff()

    no_reason = clerk.post(f"/work/addresses/{request.pk}/decline/", {f"r{request.pk}-reason": ""})
    assert "This field is required" in no_reason.content.decode()
    clerk.post(
        f"/work/addresses/{request.pk}/decline/",
        {f"r{request.pk}-reason": "Send us a copy of the lease first."},
    )

    request.refresh_from_db()
    assert request.status == "DECLINED"
    account.refresh_from_db()
    assert account.mailing_line1 == "12 Old Road"
    page = client.get(f"/portal/accounts/{account.number}/service/address/").content.decode()
    assert "Cambio de dirección postal" in page
    assert "Rechazada el" in page and "Send us a copy of the lease first." in page


def test_an_address_that_cannot_be_mailed_to_is_refused_in_the_members_language(db):
    client, account = signed_in(language="ES")
    url = f"/portal/accounts/{account.number}/service/address/"

    refused = client.post(url, {**NEW, "state": "XX", "zip_code": "8780"})

    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Escriba el estado con su código de dos letras" in page
    assert "Escriba el código postal como 12345 o 12345-6789." in page
    assert not AddressChangeRequest.objects.exists()


def test_one_request_waits_at_a_time_and_the_same_address_is_refused(db):
    client, account = signed_in()
    url = f"/portal/accounts/{account.number}/service/address/"
    same = {"line1": "12 Old Road", "city": "Magdalena", "state": "NM", "zip_code": "87825"}

    unchanged = client.post(url, same)
    client.post(url, NEW)
    second = client.post(url, {**NEW, "line1": "PO Box 7"})

    assert unchanged.status_code == 400
    assert "This is already the account" in unchanged.content.decode()
    # the form is gone while one waits; the service refuses a second one anyway
    assert second.status_code == 400
    assert "already waiting for an answer" in second.content.decode()
    assert AddressChangeRequest.objects.count() == 1


def test_an_invited_member_reads_but_does_not_ask_and_another_account_is_not_found(db):
    client, account = signed_in(role=LinkRole.INVITED)
    url = f"/portal/accounts/{account.number}/service/address/"
    assert client.get(url).status_code == 200
    assert client.post(url, NEW).status_code == 403
    other = billed_account().account
    assert client.get(f"/portal/accounts/{other.number}/service/address/").status_code == 404
    assert client.post(f"/portal/accounts/{other.number}/service/address/", NEW).status_code == 404
    assert not AddressChangeRequest.objects.exists()
