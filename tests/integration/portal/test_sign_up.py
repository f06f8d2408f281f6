"""Sign-up by proving an account, with the verification mail read from a real SMTP server."""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from coopcis.apps.portal.models import AccountLink, LinkAttempt, LinkRole, MemberSignIn
from tests.factories import ServiceAgreementFactory, ServicePointFactory
from tests.integration.billing_pdf.factories import make_bill
from tests.integration.portal.factories import PASSWORD, billed_account, member

pytestmark = pytest.mark.django_db

WRONG = "That account number and latest bill amount do not match our records"


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


def local(link: str) -> str:
    return link.replace("http://testserver", "")


def test_sign_up_mails_a_link_that_must_be_followed_before_signing_in(smtp_server):
    billed = billed_account("7100001")
    client = Client()

    response = sign_up(client, "7100001", "$167.83")

    assert response.status_code == 200
    assert "Check your email" in response.text
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "ana@example.org"
    assert "Confirm your email" in message["Subject"]
    assert message["From"] == "OCEC <no-reply@ocec-inc.com>"
    member_row = MemberSignIn.objects.get(user__username="ana@example.org")
    assert member_row.email_verified_at is None
    assert AccountLink.objects.filter(
        user=member_row.user, account=billed.account, role=LinkRole.HOLDER
    ).exists()
    refused = sign_in(client)
    assert refused.status_code == 200
    assert "Confirm your email first" in refused.text
    assert client.get("/portal/").status_code == 302

    [link] = smtp_server.links(message)
    assert client.get(local(link)).status_code == 200

    signed_in = sign_in(client)
    assert signed_in.status_code == 302
    assert signed_in["Location"] == "/portal/"
    home = client.get("/portal/")
    assert home.status_code == 200
    assert "Account 7100001" in home.text


def test_a_wrong_amount_or_number_gets_one_answer_and_is_recorded(smtp_server):
    billed_account("7100002")

    wrong_amount = sign_up(Client(), "7100002", "167.84")
    wrong_number = sign_up(Client(), "7199999", "167.83")

    assert WRONG in wrong_amount.text
    assert WRONG in wrong_number.text
    assert not User.objects.filter(username="ana@example.org").exists()
    assert smtp_server.messages == []
    assert list(LinkAttempt.objects.order_by("pk").values_list("account_number", "succeeded")) == [
        ("7100002", False),
        ("7199999", False),
    ]


def test_a_malformed_amount_is_a_field_error_and_not_a_try():
    billed_account("7100003")

    response = sign_up(Client(), "7100003", "1e2")

    assert "write the amount in full" in response.text
    assert LinkAttempt.objects.count() == 0


def test_thousands_separators_and_a_dollar_sign_are_read_as_people_type_them(smtp_server):
    billed_account("7100004", total_amount=Decimal("1234.50"))

    response = sign_up(Client(), "71-00004", "$1,234.50")

    assert "Check your email" in response.text


def test_any_bill_of_the_latest_month_proves_an_account_with_several_service_points(
    smtp_server,
):
    billed = billed_account("7100005", periods=("2026-02", "2026-03"))
    well = ServiceAgreementFactory(
        account=billed.account,
        service_point=ServicePointFactory(),
        start_on=billed.agreement.start_on,
    )
    make_bill(well, "2026-03", total_amount=Decimal("41.07"))
    make_bill(well, "2026-02", total_amount=Decimal("39.99"))

    older_month = sign_up(Client(), "7100005", "39.99", email="old@example.org")
    well_bill = sign_up(Client(), "7100005", "41.07")

    assert WRONG in older_month.text
    assert "Check your email" in well_bill.text


def test_held_and_cancelled_bills_prove_nothing():
    billed = billed_account("7100006", periods=("2026-02",))
    make_bill(billed.agreement, "2026-03", status="HELD", total_amount=Decimal("88.00"))

    assert WRONG in sign_up(Client(), "7100006", "88.00").text


def test_after_three_wrong_amounts_an_hour_the_account_number_is_refused_and_logged(
    smtp_server, caplog
):
    billed_account("7100007")
    billed_account("7100008")
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for amount in ("10.00", "20.00", "30.00"):
            assert WRONG in sign_up(Client(), "7100007", amount).text
        with caplog.at_level(logging.WARNING, logger="coopcis.portal"):
            refused = sign_up(Client(), "7100007", "167.83")
        assert "Too many wrong tries" in refused.text
        assert "too many wrong tries (account number 7100007" in caplog.text
        assert not User.objects.filter(username="ana@example.org").exists()
        # another account is not affected
        assert "Check your email" in sign_up(Client(), "7100008", "167.83", "b@example.org").text

        clock.move_to(start + timedelta(hours=1, minutes=1))
        assert "Check your email" in sign_up(Client(), "7100007", "167.83").text


def test_twenty_wrong_tries_from_one_address_refuse_it_on_any_account():
    billed_account("7100009")
    for number in range(20):
        sign_up(Client(), f"80000{number:02d}", "1.00")

    refused = sign_up(Client(), "7100009", "167.83")
    elsewhere = sign_up(Client(REMOTE_ADDR="198.51.100.7"), "7100009", "167.83")

    assert "Too many wrong tries" in refused.text
    assert "Too many wrong tries" not in elsewhere.text


def test_an_account_with_a_verified_holder_is_refused(smtp_server):
    billed = billed_account("7100010")
    member("holder@example.org", billed.account)

    response = sign_up(Client(), "7100010", "167.83")

    assert "already has a portal sign-in" in response.text
    assert smtp_server.messages == []


def test_an_unverified_earlier_sign_up_gives_way(smtp_server):
    billed = billed_account("7100011")
    stale = member("typo@exmaple.org", billed.account, verified=False)

    response = sign_up(Client(), "7100011", "167.83")

    assert "Check your email" in response.text
    holders = AccountLink.objects.filter(account=billed.account)
    assert [link.user.username for link in holders] == ["ana@example.org"]
    assert User.objects.filter(pk=stale.pk).exists()  # kept, without the account


def test_an_email_with_a_verified_sign_in_is_refused_and_an_unverified_one_replaced(
    smtp_server,
):
    billed_account("7100012")
    billed_account("7100013")
    member("taken@example.org")
    pending = member("pending@example.org", verified=False)

    taken = sign_up(Client(), "7100012", "167.83", email="Taken@Example.org")
    replaced = sign_up(Client(), "7100013", "167.83", email="pending@example.org")

    assert "already a sign-in for this email" in taken.text
    assert "Check your email" in replaced.text
    assert not User.objects.filter(pk=pending.pk).exists()


def test_a_staff_user_name_cannot_become_a_member_sign_in():
    billed_account("7100014")
    User.objects.create_user(username="rosa@ocec.example", password=PASSWORD)

    response = sign_up(Client(), "7100014", "167.83", email="rosa@ocec.example")

    assert "cannot be used for a member sign-in" in response.text


@pytest.mark.parametrize(
    ("first", "second", "says"),
    [
        ("short1", "short1", "too short"),
        ("password123", "password123", "too common"),
        (PASSWORD, PASSWORD + "x", "The two passwords differ"),
    ],
)
def test_passwords_pass_django_validators(first, second, says):
    billed_account("7100015")

    response = sign_up(Client(), "7100015", "167.83", password1=first, password2=second)

    assert says in response.text
    assert not User.objects.filter(username="ana@example.org").exists()


def test_the_form_labels_are_the_accessible_names():
    page = Client().get("/portal/sign-up/").text

    for label in ("Account number", "Latest bill amount", "Email", "Password", "Confirm password"):
        assert f">{label}</label>" in page


def test_an_expired_verification_link_says_so_and_a_new_one_can_be_asked_for(smtp_server):
    billed_account("7100016")
    sign_up(Client(), "7100016", "167.83")
    [link] = smtp_server.links(smtp_server.wait_for(1)[0])

    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=1)):
        expired = Client().get(local(link))
    assert expired.status_code == 400
    assert "expired" in expired.text
    assert MemberSignIn.objects.get().email_verified_at is None

    again = Client().post("/portal/verify-again/", {"email": "ana@example.org"})
    assert "Check your email" in again.text
    second = smtp_server.wait_for(2)[1]
    [fresh] = smtp_server.links(second)
    assert Client().get(local(fresh)).status_code == 200
    assert MemberSignIn.objects.get().email_verified_at is not None


def test_a_tampered_link_verifies_nothing(smtp_server):
    billed_account("7100017")
    sign_up(Client(), "7100017", "167.83")
    [link] = smtp_server.links(smtp_server.wait_for(1)[0])

    response = Client().get(local(link).rstrip("/")[:-2] + "xx/")

    assert response.status_code == 400
    assert MemberSignIn.objects.get().email_verified_at is None


def test_asking_for_a_new_link_says_the_same_for_an_unknown_address(smtp_server):
    response = Client().post("/portal/verify-again/", {"email": "nobody@example.org"})

    assert "Check your email" in response.text
    assert smtp_server.messages == []


def test_a_signed_in_member_is_sent_to_link_another_account():
    member("ana@example.org")
    client = Client()
    sign_in(client)

    assert client.get("/portal/sign-up/")["Location"] == "/portal/accounts/link/"
