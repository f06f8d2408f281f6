"""The service details page: the holder changes the account's phone, email and language
directly (audited, as the portal sign-in); the language is the one the portal then speaks;
an invited member only reads; another member's account is 404."""

from __future__ import annotations

import pytest
from django.test import Client

from coopcis.apps.audit.models import AuditEvent
from coopcis.apps.collections.models import ThirdPartyContact
from coopcis.apps.members.models import Account
from coopcis.apps.portal.models import LinkRole
from tests.integration.portal.factories import billed_account, member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def signed_in(role: str = LinkRole.HOLDER) -> tuple[Client, Account]:
    account = billed_account(account_fields={"phone": "", "email": ""}).account
    client = Client()
    client.force_login(member("ana@example.org", account, role=role))
    return client, account


def test_the_holder_changes_phone_email_and_language_and_the_change_is_audited(db):
    client, account = signed_in()
    url = f"/portal/accounts/{account.number}/service/"
    assert client.get(url).status_code == 200

    saved = client.post(
        url, {"phone": "(575) 682-4411", "email": "ana.new@example.org", "language": "ES"}
    )

    assert saved.status_code == 302
    account.refresh_from_db()
    assert (account.phone, account.email, account.language) == (
        "(575) 682-4411",
        "ana.new@example.org",
        "ES",
    )
    event = AuditEvent.objects.filter(model__iendswith="account", object_pk=str(account.pk)).first()
    assert event is not None
    assert event.actor_label == "portal:ana@example.org"
    assert set(event.changes) >= {"phone", "email", "language"}
    # the portal now speaks the language chosen
    page = client.get(url).content.decode()
    assert "Datos de servicio de la cuenta" in page


def test_a_bad_phone_or_email_is_refused_and_nothing_changes(db):
    client, account = signed_in()
    url = f"/portal/accounts/{account.number}/service/"

    refused = client.post(url, {"phone": "682-44", "email": "not-an-email", "language": "EN"})

    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Enter a phone number of 10 digits" in page
    account.refresh_from_db()
    assert (account.phone, account.email) == ("", "")


def test_an_invited_member_reads_but_does_not_change(db):
    client, account = signed_in(role=LinkRole.INVITED)
    url = f"/portal/accounts/{account.number}/service/"
    page = client.get(url)
    assert page.status_code == 200
    assert "<form" not in page.content.decode().split("<h1>", 1)[1]

    refused = client.post(url, {"phone": "5756824411", "email": "x@example.org", "language": "ES"})

    assert refused.status_code == 403
    account.refresh_from_db()
    assert (account.phone, account.language) == ("", "EN")


def test_another_members_account_is_not_found(db):
    client, _ = signed_in()
    other = billed_account().account

    url = f"/portal/accounts/{other.number}/service/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"phone": "", "email": "", "language": "ES"}).status_code == 404
    other.refresh_from_db()
    assert other.language == "EN"


def test_the_holder_names_the_third_party_collections_copies_notices_to(db):
    client, account = signed_in()
    url = f"/portal/accounts/{account.number}/service/"
    first = {"part": "third_party", "third-name": "Rosa Baca", "third-mailing_address": "PO Box 9"}
    assert client.post(url, first).status_code == 302
    second = {
        "part": "third_party",
        "third-name": "Luis Baca",
        "third-mailing_address": "12 Main St, Socorro NM 87801",
        "third-phone": "(575) 835-0000",
    }
    assert client.post(url, second).status_code == 302

    # one active at a time: the newer replaces the older, as in the back office
    active = ThirdPartyContact.objects.get(account=account, active=True)
    assert (active.name, active.phone) == ("Luis Baca", "(575) 835-0000")
    assert ThirdPartyContact.objects.filter(account=account, active=False).count() == 1
    assert "Now: Luis Baca, 12 Main St, Socorro NM 87801" in client.get(url).content.decode()
    event = AuditEvent.objects.filter(model__iendswith="thirdpartycontact").first()
    assert event is not None and event.actor_label == "portal:ana@example.org"


def test_a_third_party_needs_a_name_and_a_dialable_phone(db):
    client, account = signed_in()
    url = f"/portal/accounts/{account.number}/service/"

    no_name = client.post(url, {"part": "third_party", "third-mailing_address": "PO Box 9"})
    bad_phone = client.post(
        url,
        {
            "part": "third_party",
            "third-name": "Rosa Baca",
            "third-mailing_address": "PO Box 9",
            "third-phone": "12",
        },
    )

    assert no_name.status_code == 400 and bad_phone.status_code == 400
    assert "is not a" in bad_phone.content.decode()
    assert not ThirdPartyContact.objects.filter(account=account).exists()
