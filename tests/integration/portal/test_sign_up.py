"""Sign-up by proving an account, with the verification mail read from a real SMTP server."""

from __future__ import annotations

import pytest
from django.test import Client

from coopcis.apps.portal.models import AccountLink, MemberSignIn
from tests.integration.portal.factories import PASSWORD, billed_account

pytestmark = pytest.mark.django_db


def sign_up(client: Client, number: str, amount: str, email: str = "ana@example.org", **extra):
    data = {
        "account_number": number,
        "bill_amount": amount,
        "email": email,
        "password1": PASSWORD,
        "password2": PASSWORD,
        **extra,
    }
    return client.post("/portal/sign-up/", data)


def sign_in(client: Client, email: str = "ana@example.org", password: str = PASSWORD):
    return client.post("/portal/sign-in/", {"email": email, "password": password})


def test_sign_up_mails_a_link_that_must_be_followed_before_signing_in(smtp_server):
    billed = billed_account("7100001")
    client = Client()

    response = sign_up(client, "7100001", "$167.83")

    assert response.status_code == 200
    assert "Check your email" in response.text
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "ana@example.org"
    assert "Confirm your email" in message["Subject"]
    member = MemberSignIn.objects.get(user__username="ana@example.org")
    assert member.email_verified_at is None
    assert AccountLink.objects.filter(user=member.user, account=billed.account).exists()
    # not yet: the email is unverified
    refused = sign_in(client)
    assert refused.status_code == 200
    assert "Confirm your email first" in refused.text

    [link] = smtp_server.links(message)
    assert client.get(link.replace("http://testserver", "")).status_code == 200

    signed_in = sign_in(client)
    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/portal/"
    home = client.get("/portal/")
    assert home.status_code == 200
    assert "Account 7100001" in home.text
