"""The third party the member names for disconnection notices (17.5.410 NMAC) gets each
copy by email as well as by post when an email is given: named in the portal, shown there
and on the staff account page, sent over SMTP by the daily job once per notice."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from coopcis.apps.collections.models import Notice, NoticeKind, ThirdPartyContact
from coopcis.apps.collections.run import run_collections
from coopcis.apps.collections.services import name_third_party
from coopcis.apps.notify.models import OutboxMessage
from coopcis.core.errors import RuleViolation
from tests.integration.backoffice.factories import staff_user
from tests.integration.collections.conftest import run_days
from tests.integration.portal.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_copy_goes_by_email_too_once_in_the_members_language(
    billed, smtp_server, django_capture_on_commit_callbacks, freeze_today
):
    home = billed.home
    home.language = "ES"
    home.save()
    home.party.first_name, home.party.last_name = "Ana", "Baca"
    home.party.save()
    freeze_today(date(2026, 10, 1))
    portal = Client()
    portal.force_login(member("ana@example.org", home))
    url = f"/portal/accounts/{home.number}/service/"
    named = portal.post(
        url,
        {
            "part": "third_party",
            "third-name": "Rosa Baca",
            "third-mailing_address": "12 Elm St\nAlamogordo NM 88310",
            "third-email": "rosa.baca@example.org",
        },
    )
    assert named.status_code == 302
    assert "rosa.baca@example.org" in portal.get(url).text
    staff = Client()
    staff.force_login(staff_user("read_only"))
    card = staff.get(f"/accounts/{home.number}/").text
    assert '<span data-testid="third-party-email">rosa.baca@example.org</span>' in card

    with django_capture_on_commit_callbacks(execute=True):
        run_days(date(2026, 10, 30), date(2026, 11, 12))
    with django_capture_on_commit_callbacks(execute=True):
        run_collections(as_of=date(2026, 11, 11))  # the notice's day again: nothing more

    # the paper copy, and one email of it (the 15-day notice went on 11 November)
    assert Notice.objects.filter(kind=NoticeKind.THIRD_PARTY).count() == 1
    [mail] = smtp_server.wait_for(1)
    assert mail["To"] == "rosa.baca@example.org"
    body = " ".join(smtp_server.body(mail).split())
    assert str(mail["Subject"]).strip() == "Copia de un aviso de desconexión enviado a Ana Baca"
    assert body.startswith("Estimado(a) Rosa Baca:")
    assert "Ana Baca le nombró para recibir una copia de todo aviso de desconexión" in body
    assert f"El saldo vencido de la cuenta {home.number} es de $183.89." in body
    assert "a partir del 30 de noviembre de 2026" in body
    assert "No se le pide a usted que pague." in body
    message = OutboxMessage.objects.get(kind="third_party_notice")
    assert (message.status, message.party, message.account) == ("SENT", None, home)


def test_without_an_email_the_copy_goes_by_post_only_and_a_bad_email_is_refused(
    billed, smtp_server, django_capture_on_commit_callbacks
):
    home = billed.home
    with pytest.raises(RuleViolation, match="not an email address") as refused:
        name_third_party(
            account=home,
            name="Rosa Baca",
            mailing_address="PO Box 9",
            email="rosa at example",
            named_on=date(2026, 10, 1),
        )
    assert refused.value.field == "email" and not ThirdPartyContact.objects.exists()
    name_third_party(
        account=home, name="Rosa Baca", mailing_address="PO Box 9", named_on=date(2026, 10, 1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        run_days(date(2026, 10, 30), date(2026, 11, 11))

    assert Notice.objects.filter(kind=NoticeKind.THIRD_PARTY).count() == 1
    assert smtp_server.messages == []
    assert not OutboxMessage.objects.filter(kind="third_party_notice").exists()
