"""The member's own copy of a disconnection notice (the notification kind
``disconnect_notice``, which cannot be turned off): sent by email or text after the daily
run commits, to accounts a member sign-in is linked to, once per case and round; never by
a dry run. The small co-op's home owes $183.89 from its October bill; its 15-day notice is
mailed on 11 November for disconnection on or after 30 November."""

from __future__ import annotations

import json
from datetime import date

import pytest

from coopcis.apps.collections.models import Notice, NoticeKind
from coopcis.apps.collections.run import run_collections
from coopcis.apps.notify.models import OutboxMessage
from coopcis.apps.notify.services import set_contact, set_preference
from coopcis.apps.notify.sms import SIMULATOR_OUTBOX
from tests.integration.collections.conftest import run_days
from tests.integration.jobs import coopcis
from tests.integration.portal.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.parametrize("way", ["email", "sms", "no sign-in"])
def test_the_member_gets_a_copy_once_by_their_channel_and_an_unlinked_account_none(
    way, billed, smtp_server, django_capture_on_commit_callbacks, freeze_today, capsys
):
    freeze_today(date(2026, 11, 30))
    home = billed.home
    home.email = "ana@example.org"
    if way == "sms":
        home.language = "ES"
    home.save()
    if way != "no sign-in":
        member("ana@example.org", home)
    if way == "sms":
        set_contact(party=home.party, email="", mobile_phone="(575) 835-0101")
        set_preference(party=home.party, kind="disconnect_notice", channel="SMS")
    SIMULATOR_OUTBOX.clear()

    # a dry run of the notice's day records and sends nothing
    with django_capture_on_commit_callbacks(execute=True):
        run_days(date(2026, 10, 30), date(2026, 11, 10))
        code, out, err = coopcis(
            capsys, "collections", "run", "--as-of", "2026-11-11", "--dry-run", "--json"
        )
    assert code == 0, err
    assert json.loads(out)["counts"]["disconnect_notices"] == 1
    assert not Notice.objects.filter(kind=NoticeKind.DISCONNECT).exists()
    assert not OutboxMessage.objects.filter(kind="disconnect_notice").exists()

    with django_capture_on_commit_callbacks(execute=True):
        run_days(date(2026, 11, 11), date(2026, 11, 12))
    with django_capture_on_commit_callbacks(execute=True):
        run_collections(as_of=date(2026, 11, 11))  # the notice's day again: nothing more

    [notice] = Notice.objects.filter(kind=NoticeKind.DISCONNECT)
    assert notice.account == home
    copies = OutboxMessage.objects.filter(kind="disconnect_notice")
    if way == "no sign-in":
        assert not copies.exists() and smtp_server.messages == [] and SIMULATOR_OUTBOX == []
        return
    [copy] = copies
    assert (copy.account, copy.channel, copy.status) == (
        home,
        "EMAIL" if way == "email" else "SMS",
        "SENT",
    )
    if way == "email":
        [mail] = smtp_server.wait_for(1)
        assert mail["To"] == "ana@example.org"
        assert str(mail["Subject"]).strip() == "Notice of disconnection for non-payment"
        body = " ".join(smtp_server.body(mail).split())
        assert f"A notice of disconnection for account {home.number} has been mailed" in body
        assert "$183.89" in body and "November 30, 2026" in body
    else:
        [text] = SIMULATOR_OUTBOX
        assert f"la cuenta {home.number} podrá ser desconectada" in text.body
        assert "$183.89" in text.body
        assert smtp_server.messages == []
