"""The Notifications page: one radio group per kind, where messages go; in the member's
language (stored, else the browser's), and the back office stays in English."""

from __future__ import annotations

import pytest
from django.test import Client

from coopcis.apps.notify.kinds import all_kinds
from coopcis.apps.notify.models import NotificationContact, NotificationPreference
from coopcis.apps.notify.services import preferences
from coopcis.apps.portal.models import LinkRole
from tests.integration.portal.factories import billed_account, member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def signed_in(language: str = "EN", **headers) -> tuple[Client, object]:
    billed = billed_account()
    billed.account.language = language
    billed.account.save()
    client = Client(**headers)
    client.force_login(member("ana@example.org", billed.account))
    return client, billed.account


def choices(**overrides: str) -> dict[str, str]:
    """Every kind registered (other apps add theirs) by email, no addresses, then ``overrides``."""
    data = {f"kind_{kind.code}": "EMAIL" for kind in all_kinds()}
    data.update(email="", mobile_phone="")
    data.update(overrides)
    return data


def test_each_kind_is_a_labelled_radio_group_and_a_choice_is_saved(db):
    client, account = signed_in()

    page = client.get("/portal/notifications/").content.decode()

    assert "<legend>Bill ready:</legend>" in page
    assert 'value="SMS"' in page and "Text message" in page
    # a disconnection notice cannot be turned off: no "Off" in its group
    group = page[page.index('data-testid="kind_disconnect_notice"') :]
    assert 'value="OFF"' not in group[: group.index("</fieldset>")]
    saved = client.post(
        "/portal/notifications/",
        choices(kind_due_soon="OFF", kind_outage="SMS", mobile_phone="(575) 682-4411"),
    )
    assert saved.status_code == 302
    now = preferences(account.party)
    assert now["due_soon"] == "OFF" and now["outage"] == "SMS" and now["bill_ready"] == "EMAIL"
    assert NotificationContact.objects.get().mobile_phone == "+15756824411"


def test_texts_need_a_mobile_number_that_can_be_dialled(db):
    client, _account = signed_in()

    without = client.post("/portal/notifications/", choices(kind_outage="SMS"))
    bad = client.post("/portal/notifications/", choices(mobile_phone="575-000-0000"))

    assert "Give a mobile number to get text messages" in without.content.decode()
    assert "not a phone number we can text" in bad.content.decode()
    assert not NotificationPreference.objects.exists()


def test_an_invited_person_cannot_change_the_holders_choices(db):
    billed = billed_account()
    client = Client()
    client.force_login(member("sam@example.org", billed.account, role=LinkRole.INVITED))

    page = client.get("/portal/notifications/").content.decode()
    client.post("/portal/notifications/", choices(kind_bill_ready="OFF"))

    assert "The account holder chooses the notifications" in page
    assert not NotificationPreference.objects.exists()


def test_the_browsers_spanish_shows_the_page_in_spanish(db):
    client, _account = signed_in(HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5")
    client.logout()
    sign_in = client.get("/portal/sign-in/")
    assert sign_in["Content-Language"] == "es"
    assert 'lang="es"' in sign_in.content.decode()
    assert "Iniciar sesión" in sign_in.content.decode()


def test_the_members_stored_language_comes_before_the_browsers(db):
    client, _account = signed_in("ES", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    page = client.get("/portal/notifications/").content.decode()

    assert "<legend>Factura lista:</legend>" in page
    assert "Correo electrónico" in page and "Mensaje de texto" in page
    assert "Desactivado" in page and "Guardar" in page
    # the switch, used while signed in, wins for the session
    client.post("/i18n/setlang/", {"language": "en", "next": "/portal/notifications/"})
    assert "<legend>Bill ready:</legend>" in client.get("/portal/notifications/").content.decode()


def test_the_back_office_stays_in_english_for_a_spanish_browser(client):
    page = client.post(
        "/sign-in/", {"username": "nobody", "password": "x"}, HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    # Django's own message, which its catalogue has in Spanish
    assert "Please enter a correct username and password" in page
