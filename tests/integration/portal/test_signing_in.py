"""Sign-in, sign-out, lockout, two-step sign-in (TOTP), re-authentication, password reset,
and the wall between member and staff sign-ins."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from coopcis.apps.portal.models import MemberSignIn
from tests.integration.portal.factories import PASSWORD, billed_account, member

pytestmark = pytest.mark.django_db


def sign_in(client: Client, email: str = "ana@example.org", password: str = PASSWORD, **data):
    return client.post("/portal/sign-in/", {"email": email, "password": password, **data})


def code_now(device: TOTPDevice) -> str:
    """The six digits an authenticator app shows now, computed from the key (RFC 6238)."""
    return f"{totp(device.bin_key, step=30, t0=0, digits=6):06d}"


def wrong_code(device: TOTPDevice) -> str:
    return "123456" if code_now(device) != "123456" else "654321"


def signed_in_member(email: str = "ana@example.org") -> tuple[Client, User]:
    user = member(email, billed_account().account)
    client = Client()
    assert sign_in(client, email).status_code == 302
    return client, user


# --- sign-in and sign-out --------------------------------------------------------------------


def test_sign_in_goes_home_or_to_the_portal_page_asked_for():
    member("ana@example.org", billed_account().account)
    client = Client()

    asked = client.get("/portal/security/two-step/")
    assert asked["Location"] == "/portal/sign-in/?next=/portal/security/two-step/"
    response = sign_in(client, "ANA@example.org", next="/portal/security/two-step/")

    assert response["Location"] == "/portal/security/two-step/"


def test_sign_in_never_sends_a_member_off_the_portal():
    member("ana@example.org")

    response = sign_in(Client(), next="https://evil.example/")
    staff_page = sign_in(Client(), next="/bills/held/")

    assert response["Location"] == "/portal/"
    assert staff_page["Location"] == "/portal/"


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer():
    member("ana@example.org")

    wrong = sign_in(Client(), password="nope")
    unknown = sign_in(Client(), email="who@example.org")

    assert "Wrong email or password." in wrong.text
    assert "Wrong email or password." in unknown.text


def test_a_staff_sign_in_cannot_sign_in_to_the_portal():
    User.objects.create_user(username="rosa@ocec.example", password=PASSWORD)

    response = sign_in(Client(), email="rosa@ocec.example")

    assert "Wrong email or password." in response.text


def test_sign_out_is_a_post_and_ends_the_session():
    client, _user = signed_in_member()

    assert client.get("/portal/sign-out/").status_code == 405
    assert client.post("/portal/sign-out/")["Location"] == "/portal/sign-in/"
    assert client.get("/portal/")["Location"].startswith("/portal/sign-in/")


# --- lockout ----------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_portal_sign_in_for_15_minutes():
    member("ana@example.org")
    now = timezone.now()
    with time_machine.travel(now, tick=False) as clock:
        for _ in range(4):
            assert sign_in(Client(), password="wrong").status_code == 200
        locked = sign_in(Client(), password="wrong")
        assert locked.status_code == 429
        assert "Sign-in locked" in locked.text
        assert 'data-testid="locked-out"' in locked.text
        assert sign_in(Client()).status_code == 429  # even the right password

        clock.move_to(now + timedelta(minutes=16))
        assert sign_in(Client()).status_code == 302


# --- two-step sign-in -------------------------------------------------------------------------


def turn_on_two_step(client: Client) -> TOTPDevice:
    page = client.get("/portal/security/two-step/set-up/")
    assert page.status_code == 200
    assert "data:image/svg+xml" in page.text
    device = TOTPDevice.objects.get(confirmed=False)
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    shown = page.text.split('data-testid="totp-secret">')[1].split("<")[0].replace(" ", "")
    assert shown == secret
    response = client.post("/portal/security/two-step/set-up/", {"code": code_now(device)})
    assert response["Location"] == "/portal/security/two-step/"
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_a_wrong_code_does_not_turn_two_step_on():
    client, _user = signed_in_member()
    client.get("/portal/security/two-step/set-up/")
    device = TOTPDevice.objects.get()

    refused = client.post("/portal/security/two-step/set-up/", {"code": wrong_code(device)})

    assert "That code is not right" in refused.text
    device.refresh_from_db()
    assert not device.confirmed


def test_two_step_sign_in_asks_for_the_code_after_the_password():
    client, _user = signed_in_member()
    device = turn_on_two_step(client)
    client.post("/portal/sign-out/")

    after_password = sign_in(client)
    assert after_password["Location"] == "/portal/sign-in/code/"
    # the password alone reaches nothing
    assert client.get("/portal/")["Location"].startswith("/portal/sign-in/")
    wrong = client.post("/portal/sign-in/code/", {"code": wrong_code(device)})
    assert "That code is not right" in wrong.text

    # a later 30-second step: the code used to turn it on is accepted once only (django-otp)
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        right = client.post("/portal/sign-in/code/", {"code": code_now(device)})
        assert right["Location"] == "/portal/"
        assert client.get("/portal/").status_code == 200


def test_wrong_codes_count_toward_the_lockout():
    client, _user = signed_in_member()
    turn_on_two_step(client)
    client.post("/portal/sign-out/")
    sign_in(client)

    device = TOTPDevice.objects.get()
    answers = [client.post("/portal/sign-in/code/", {"code": wrong_code(device)}) for _ in range(5)]

    assert answers[-1].status_code == 429
    assert sign_in(Client()).status_code == 429


def test_the_code_step_expires_and_cannot_be_reached_without_the_password():
    client, _user = signed_in_member()
    turn_on_two_step(client)
    client.post("/portal/sign-out/")

    assert client.get("/portal/sign-in/code/")["Location"] == "/portal/sign-in/"
    sign_in(client)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert client.get("/portal/sign-in/code/")["Location"] == "/portal/sign-in/"


# --- re-authentication ----------------------------------------------------------------------


def test_sensitive_pages_ask_for_the_password_again_after_ten_minutes():
    client, _user = signed_in_member()
    assert client.get("/portal/security/two-step/set-up/").status_code == 200  # just signed in

    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        asked = client.get("/portal/security/two-step/set-up/")
        assert asked["Location"] == "/portal/confirm/?next=/portal/security/two-step/set-up/"
        wrong = client.post(
            "/portal/confirm/", {"password": "nope", "next": "/portal/security/two-step/set-up/"}
        )
        assert "That is not right" in wrong.text
        right = client.post(
            "/portal/confirm/", {"password": PASSWORD, "next": "/portal/security/two-step/set-up/"}
        )
        assert right["Location"] == "/portal/security/two-step/set-up/"
        assert client.get("/portal/security/two-step/set-up/").status_code == 200


def test_re_authentication_asks_for_the_code_too_when_two_step_is_on():
    client, _user = signed_in_member()
    device = turn_on_two_step(client)

    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        page = client.get("/portal/confirm/")
        assert "Code from your authenticator app" in page.text
        password_only = client.post("/portal/confirm/", {"password": PASSWORD})
        assert "This field is required" in password_only.text
        with_code = client.post(
            "/portal/confirm/", {"password": PASSWORD, "code": code_now(device)}
        )
        assert with_code["Location"] == "/portal/"

        off = client.post("/portal/security/two-step/turn-off/")
        assert off["Location"] == "/portal/security/two-step/"
    assert not TOTPDevice.objects.exists()


def test_turning_two_step_off_needs_a_recent_password():
    client, _user = signed_in_member()
    turn_on_two_step(client)

    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        response = client.post("/portal/security/two-step/turn-off/")

    assert response["Location"].startswith("/portal/confirm/")
    assert TOTPDevice.objects.filter(confirmed=True).exists()


# --- password reset ----------------------------------------------------------------------------


def test_password_reset_by_email_sets_a_new_password(smtp_server):
    member("ana@example.org")
    client = Client()

    sent = client.post("/portal/password/reset/", {"email": "ana@example.org"})
    assert sent["Location"] == "/portal/password/reset/sent/"
    [message] = smtp_server.wait_for(1)
    [link] = smtp_server.links(message)
    form = client.get(link.replace("http://testserver", ""), follow=True)
    assert "New password" in form.text
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Sierra-Blanca-7741", "new_password2": "Sierra-Blanca-7741"},
    )
    assert done["Location"] == "/portal/password/reset/done/"

    assert "Wrong email" in sign_in(Client()).text
    assert sign_in(Client(), password="Sierra-Blanca-7741").status_code == 302


def test_password_reset_also_verifies_the_email(smtp_server):
    member("ana@example.org", verified=False)
    client = Client()
    client.post("/portal/password/reset/", {"email": "ana@example.org"})
    [link] = smtp_server.links(smtp_server.wait_for(1)[0])
    form = client.get(link.replace("http://testserver", ""), follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Sierra-Blanca-7741", "new_password2": "Sierra-Blanca-7741"},
    )

    assert MemberSignIn.objects.get().email_verified_at is not None


def test_password_reset_mails_nothing_to_a_staff_sign_in(smtp_server):
    User.objects.create_user(username="rosa", email="rosa@ocec.example", password=PASSWORD)

    response = Client().post("/portal/password/reset/", {"email": "rosa@ocec.example"})

    assert response.status_code == 302
    assert smtp_server.messages == []


# --- members and staff apart ------------------------------------------------------------------


def test_a_member_session_reaches_no_staff_page_or_api():
    client, user = signed_in_member()
    # even a permission given by mistake does not open the back office to a member
    user.groups.add(Group.objects.get(name="Manager"))

    for path in ("/", "/bills/held/", "/api/v1/accounts/1", "/admin/", "/sign-in/"):
        assert client.get(path).status_code == 403, path
    assert client.get("/portal/").status_code == 200


def test_a_member_signing_in_at_the_staff_sign_in_is_kept_in_the_portal():
    member("ana@example.org")
    client = Client()

    client.post("/sign-in/", {"username": "ana@example.org", "password": PASSWORD})

    assert client.get("/").status_code == 403
    assert client.get("/portal/").status_code == 200


def test_a_staff_sign_in_gets_no_member_page():
    staff = User.objects.create_user(username="rosa", password=PASSWORD)
    staff.groups.add(Group.objects.get(name="Manager"))
    client = Client()
    client.force_login(staff)

    response = client.get("/portal/")

    assert response.status_code == 403
    assert "Members only" in response.text


def test_an_unverified_member_forced_in_gets_no_member_page():
    user = member("ana@example.org", verified=False)
    client = Client()
    client.force_login(user)

    assert client.get("/portal/").status_code == 403


def test_the_language_switch_sets_the_page_language():
    client = Client()

    response = client.post("/i18n/setlang/", {"language": "es", "next": "/portal/sign-in/"})

    assert response["Location"] == "/portal/sign-in/"
    assert '<html lang="es">' in client.get("/portal/sign-in/").text


def test_wrong_passwords_at_re_authentication_lock_and_sign_out():
    client, _user = signed_in_member()

    answers = [client.post("/portal/confirm/", {"password": "nope"}) for _ in range(6)]

    assert [a.status_code for a in answers[:4]] == [200, 200, 200, 200]
    assert answers[-1].status_code == 429
    assert client.get("/portal/")["Location"].startswith("/portal/sign-in/")
    assert sign_in(Client()).status_code == 429
