"""More accounts on one sign-in, and the holder's invitation of a second person."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from coopcis.apps.portal.models import AccountLink, Invitation, LinkAttempt, LinkRole
from tests.integration.portal.factories import PASSWORD, billed_account, member

pytestmark = pytest.mark.django_db


def signed_in(email: str, *accounts) -> Client:
    member(email, *accounts)
    client = Client()
    response = client.post("/portal/sign-in/", {"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def link(client: Client, number: str, amount: str):
    return client.post("/portal/accounts/link/", {"account_number": number, "bill_amount": amount})


def local(url: str) -> str:
    return url.replace("http://testserver", "")


# --- link another account --------------------------------------------------------------------


def test_a_member_links_a_second_account_with_the_same_proof():
    home = billed_account("7300001")
    well = billed_account("7300002")
    client = signed_in("ana@example.org", home.account)

    response = link(client, "7300002", "167.83")

    assert response["Location"] == "/portal/"
    page = client.get("/portal/").text
    assert "Account 7300001" in page
    assert "Account 7300002" in page
    assert "Account 7300002 is now linked." in page
    assert AccountLink.objects.get(account=well.account).role == LinkRole.HOLDER


def test_linking_a_wrong_amount_is_refused_and_counted():
    home = billed_account("7300003")
    billed_account("7300004")
    client = signed_in("ana@example.org", home.account)

    response = link(client, "7300004", "167.00")

    assert "do not match our records" in response.text
    assert LinkAttempt.objects.get().succeeded is False
    assert "Account 7300004" not in client.get("/portal/").text


def test_linking_an_account_already_linked_says_so():
    home = billed_account("7300005")
    client = signed_in("ana@example.org", home.account)

    response = link(client, "7300005", "167.83")

    assert "Account 7300005 is already linked." in client.get(response["Location"]).text
    assert AccountLink.objects.count() == 1


def test_linking_an_account_with_another_holder_is_refused():
    mine = billed_account("7300006")
    theirs = billed_account("7300007")
    member("holder@example.org", theirs.account)
    client = signed_in("ana@example.org", mine.account)

    response = link(client, "7300007", "167.83")

    assert "already has a portal sign-in" in response.text
    assert not AccountLink.objects.filter(account=theirs.account, user__username="ana@example.org")


def test_linking_is_throttled_like_sign_up():
    mine = billed_account("7300008")
    billed_account("7300009")
    client = signed_in("ana@example.org", mine.account)
    for amount in ("1.00", "2.00", "3.00"):
        link(client, "7300009", amount)

    assert "Too many wrong tries" in link(client, "7300009", "167.83").text


# --- invitations ----------------------------------------------------------------------------


def invite(client: Client, number: str, email: str, smtp_server) -> str:
    count = len(smtp_server.messages)
    response = client.post(f"/portal/accounts/{number}/invite/", {"email": email})
    assert response["Location"] == f"/portal/accounts/{number}/invite/"
    message = smtp_server.wait_for(count + 1)[-1]
    assert message["To"] == email.lower()
    assert number in smtp_server.body(message)
    [url] = smtp_server.links(message)
    return local(url)


def test_an_invited_person_signs_up_through_the_link_and_sees_the_account(smtp_server):
    home = billed_account("7300010")
    holder = signed_in("ana@example.org", home.account)

    url = invite(holder, "7300010", "Luis@Example.org", smtp_server)
    guest = Client()
    page = guest.get(url)
    assert "Invitation to account 7300010" in page.text
    response = guest.post(url, {"password1": PASSWORD, "password2": PASSWORD})

    assert response["Location"] == "/portal/"
    assert "Account 7300010" in guest.get("/portal/").text
    new_link = AccountLink.objects.get(user__username="luis@example.org")
    assert (new_link.role, new_link.invited_by.username) == (LinkRole.INVITED, "ana@example.org")
    # the mailed link proved the address: the new sign-in works at once
    assert (
        Client()
        .post("/portal/sign-in/", {"email": "luis@example.org", "password": PASSWORD})
        .status_code
        == 302
    )
    # and the invitation is used up
    assert Client().get(url).status_code == 400


def test_a_member_with_a_sign_in_accepts_by_signing_in(smtp_server):
    home = billed_account("7300011")
    shop = billed_account("7300012")
    holder = signed_in("ana@example.org", home.account)
    url = invite(holder, "7300011", "luis@example.org", smtp_server)
    member("luis@example.org", shop.account)

    anonymous = Client().get(url)
    assert "Sign in to accept" in anonymous.text
    guest = Client()
    assert (
        guest.post(
            "/portal/sign-in/", {"email": "luis@example.org", "password": PASSWORD, "next": url}
        )["Location"]
        == url
    )
    accepted = guest.post(url)

    assert accepted["Location"] == "/portal/"
    page = guest.get("/portal/").text
    assert "Account 7300011" in page
    assert "Account 7300012" in page


def test_only_the_holder_may_invite():
    home = billed_account("7300013")
    other = billed_account("7300014")
    member("luis@example.org", home.account, role=LinkRole.INVITED)
    guest = Client()
    guest.post("/portal/sign-in/", {"email": "luis@example.org", "password": PASSWORD})

    assert guest.get("/portal/accounts/7300013/invite/").status_code == 404
    assert guest.get(f"/portal/accounts/{other.number}/invite/").status_code == 404
    assert (
        guest.post("/portal/accounts/7300014/invite/", {"email": "x@example.org"}).status_code
        == 404
    )
    assert not Invitation.objects.exists()


def test_an_expired_invitation_says_so(smtp_server):
    home = billed_account("7300015")
    holder = signed_in("ana@example.org", home.account)
    url = invite(holder, "7300015", "luis@example.org", smtp_server)

    with time_machine.travel(timezone.now() + timedelta(days=14, minutes=1)):
        response = Client().get(url)

    assert response.status_code == 400
    assert "expired" in response.text
    assert not User.objects.filter(username="luis@example.org").exists()


# --- who can see the account ---------------------------------------------------------------


def test_the_holder_removes_an_invited_person_who_then_sees_nothing(smtp_server):
    home = billed_account("7300016")
    holder = signed_in("ana@example.org", home.account)
    guest = signed_in("luis@example.org")
    guest.post(invite(holder, "7300016", "luis@example.org", smtp_server))
    assert "Account 7300016" in guest.get("/portal/").text
    listed = holder.get("/portal/accounts/7300016/invite/").text
    assert "Remove luis@example.org" in listed
    link = AccountLink.objects.get(user__username="luis@example.org")

    # the invited person cannot remove anyone, the holder can
    assert guest.post(f"/portal/accounts/7300016/access/{link.pk}/remove/").status_code == 404
    removed = holder.post(f"/portal/accounts/7300016/access/{link.pk}/remove/")

    assert removed["Location"] == "/portal/accounts/7300016/invite/"
    assert "Account 7300016" not in guest.get("/portal/").text
    assert guest.get("/portal/accounts/7300016/usage/").status_code == 404
    assert not AccountLink.objects.filter(pk=link.pk).exists()


def test_the_holder_cannot_remove_themselves_or_reach_another_account_s_people():
    mine = billed_account("7300017")
    theirs = billed_account("7300018")
    holder = signed_in("ana@example.org", mine.account)
    other = member("beto@example.org", theirs.account)
    guest = member("luis@example.org")
    guest_link = AccountLink.objects.create(
        user=guest, account=theirs.account, role=LinkRole.INVITED, invited_by=other
    )
    own = AccountLink.objects.get(user__username="ana@example.org")

    assert holder.post(f"/portal/accounts/7300017/access/{own.pk}/remove/").status_code == 404
    assert (
        holder.post(f"/portal/accounts/7300017/access/{guest_link.pk}/remove/").status_code == 404
    )
    assert (
        holder.post(f"/portal/accounts/7300018/access/{guest_link.pk}/remove/").status_code == 404
    )
    assert AccountLink.objects.count() == 3


def test_a_withdrawn_invitation_no_longer_works(smtp_server):
    home = billed_account("7300019")
    holder = signed_in("ana@example.org", home.account)
    url = invite(holder, "7300019", "luis@example.org", smtp_server)
    invitation = Invitation.objects.get()
    assert (
        "luis@example.org (invited, not yet accepted)"
        in holder.get("/portal/accounts/7300019/invite/").text
    )

    holder.post(f"/portal/accounts/7300019/invitations/{invitation.pk}/withdraw/")

    assert Client().get(url).status_code == 400
    assert not Invitation.objects.exists()
