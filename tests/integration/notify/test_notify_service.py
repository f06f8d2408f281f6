"""notify(): the member's preference picks the channel, the outbox records the message,
it goes out once the caller's transaction commits, and never twice for one key."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.db import transaction

from coopcis.apps.notify.models import MessageStatus, OutboxMessage
from coopcis.apps.notify.services import (
    deliver,
    notify,
    preferences,
    record_sms_keyword,
    set_contact,
    set_preference,
)
from coopcis.core.errors import RuleViolation

pytestmark = pytest.mark.django_db

BILL = {"amount_due": Decimal("1234.5"), "due_date": date(2026, 12, 28), "url": ""}


def send(target, kind="bill_ready", context=BILL, key="bill_ready:1", **kw):
    """notify() as a caller does, inside its transaction; the on-commit send runs."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        message = notify(target, kind, context, idempotency_key=key, **kw)
    message.refresh_from_db()
    return message


def test_every_kind_starts_at_its_default_and_the_member_changes_one_at_a_time(member):
    defaults = preferences(member.party)
    assert defaults["bill_ready"] == "EMAIL" and defaults["outage"] == "SMS"

    set_preference(party=member.party, kind="due_soon", channel="OFF")
    set_preference(party=member.party, kind="outage", channel="EMAIL")

    now = preferences(member.party)
    assert now["due_soon"] == "OFF" and now["outage"] == "EMAIL"
    assert {k: v for k, v in now.items() if k not in ("due_soon", "outage")} == {
        k: v for k, v in defaults.items() if k not in ("due_soon", "outage")
    }


def test_a_disconnection_notice_cannot_be_turned_off_and_unknown_kinds_are_refused(member):
    with pytest.raises(RuleViolation, match="cannot be turned off"):
        set_preference(party=member.party, kind="disconnect_notice", channel="OFF")
    with pytest.raises(RuleViolation, match="no notification kind"):
        set_preference(party=member.party, kind="lottery", channel="EMAIL")
    with pytest.raises(RuleViolation, match="no channel"):
        set_preference(party=member.party, kind="bill_ready", channel="PIGEON")


def test_a_bill_ready_email_goes_out_once_for_one_key(member):
    first = send(member)
    again = send(member)

    assert first.pk == again.pk and OutboxMessage.objects.count() == 1
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["maria@example.com"]
    assert email.subject == "Your OCEC bill is ready: $1,234.50 due December 28, 2026"
    assert "Dear Maria Baca," in email.body and "account 3100417" in email.body
    assert "Amount due: $1,234.50" in email.body
    html = email.alternatives[0][0]
    assert "<p>Dear Maria Baca,</p>" in html and 'lang="en' in html
    first.refresh_from_db()
    assert first.status == MessageStatus.SENT and first.provider == "smtp"
    assert first.provider_id == email.extra_headers["Message-ID"]


def test_nothing_is_sent_when_the_callers_transaction_rolls_back(member):
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                notify(member, "bill_ready", BILL, idempotency_key="rolled-back")
                raise RuntimeError("the bill run failed")
        except RuntimeError:
            pass

    assert callbacks == [] and mail.outbox == []
    assert not OutboxMessage.objects.filter(idempotency_key="rolled-back").exists()


def test_a_message_delivered_twice_is_sent_once(member):
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=False):
        message = notify(member, "bill_ready", BILL, idempotency_key="twice")

    deliver(message.pk)
    deliver(message.pk)  # a second worker, or a retry racing the first

    assert len(mail.outbox) == 1
    message.refresh_from_db()
    assert message.attempts == 1 and message.status == MessageStatus.SENT


def test_a_kind_turned_off_is_recorded_and_not_sent(member, texts):
    set_preference(party=member.party, kind="bill_ready", channel="OFF")

    message = send(member)

    assert message.status == MessageStatus.SKIPPED and "turned this kind off" in message.error
    assert mail.outbox == [] and texts == []


def test_a_text_goes_to_the_mobile_number_given_for_texts_in_e164(member, texts):
    set_contact(party=member.party, email="", mobile_phone="(575) 682-4411")
    set_preference(party=member.party, kind="payment_received", channel="SMS")

    message = send(
        member,
        "payment_received",
        {"amount": Decimal("80"), "received_on": date(2026, 12, 6)},
        key="payment:9",
    )

    assert [t.to for t in texts] == ["+15756824411"]
    assert texts[0].body == (
        "OCEC: we received your payment of $80.00 for account 3100417. Thank you. "
        "Reply STOP to end texts."
    )
    assert message.status == MessageStatus.SENT and message.provider_id == texts[0].sid


def test_a_number_that_texted_stop_is_never_texted(member, texts):
    set_contact(party=member.party, email="", mobile_phone="575-682-4411")
    set_preference(party=member.party, kind="outage", channel="SMS")
    record_sms_keyword(phone="+15756824411", opted_out=True, keyword="STOP")

    message = send(member, "outage", {"restored": False, "started_at": None}, key="outage:1")

    assert texts == [] and message.status == MessageStatus.SKIPPED
    assert "STOP" in message.error


def test_an_outage_text_by_default_falls_back_to_email_without_a_mobile_number(member, texts):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    started = datetime(2026, 12, 6, 14, 5, tzinfo=ZoneInfo("America/Denver"))

    message = send(member, "outage", {"restored": False, "started_at": started}, key="o:2")

    assert message.channel == "EMAIL" and texts == []
    assert "since December 6, 2026 at 2:05 p.m." in mail.outbox[0].body


def test_a_mobile_number_must_be_one_that_can_be_dialled(member):
    with pytest.raises(RuleViolation) as refused:
        set_contact(party=member.party, email="", mobile_phone="575-000-0000")
    assert refused.value.field == "mobile_phone"


def test_the_email_goes_through_a_real_smtp_server(member, smtp_inbox):
    send(member)

    [received] = smtp_inbox
    assert received["To"] == "maria@example.com" and received["From"] == "billing@ocec-inc.com"
    assert received["Subject"] == "Your OCEC bill is ready: $1,234.50 due December 28, 2026"
    plain = received.get_body(preferencelist=("plain",)).get_content()
    html = received.get_body(preferencelist=("html",)).get_content()
    assert "Amount due: $1,234.50" in plain and "Amount due: $1,234.50" in html
    assert OutboxMessage.objects.get().status == MessageStatus.SENT


def test_an_smtp_failure_is_recorded_and_can_be_retried(member, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2

    message = send(member)

    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and "Connection refused" in message.error


def test_a_spanish_speaking_member_gets_the_email_and_the_text_in_spanish(member, texts):
    member.language = "ES"
    member.save()

    send(member)
    set_contact(party=member.party, email="", mobile_phone="575-682-4411")
    set_preference(party=member.party, kind="past_due", channel="SMS")
    send(member, "past_due", BILL, key="past_due:1")

    email = mail.outbox[0]
    assert email.subject == (
        "Su factura de OCEC está lista: $1,234.50 a pagar a más tardar el 28 de diciembre de 2026"
    )
    assert email.body.startswith("Estimado(a) Maria Baca:\n")
    assert "Cantidad a pagar: $1,234.50" in email.body
    assert "Fecha de vencimiento: 28 de diciembre de 2026" in email.body
    assert 'lang="es"' in email.alternatives[0][0]
    assert email.extra_headers["Content-Language"] == "es"
    assert texts[0].body == (
        "OCEC: el pago de $1,234.50 de la cuenta 3100417 está vencido. Por favor pague, o "
        "llame al 575-682-2521 para hacer un arreglo. Responda STOP para no recibir más "
        "mensajes."
    )
    assert OutboxMessage.objects.filter(language="es").count() == 2


def test_a_failed_message_is_sent_by_the_retry_once_the_server_is_back(member, settings):
    from coopcis.apps.notify.services import retry_failed

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    failed = send(member)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    [retried] = retry_failed()
    again = retry_failed()

    assert failed.status == MessageStatus.FAILED
    assert retried.pk == failed.pk and retried.status == MessageStatus.SENT
    assert retried.attempts == 2 and again == [] and len(mail.outbox) == 1


def test_coopcis_notify_retry_sends_the_failed_messages_once(member, settings, capsys):
    import json

    from tests.integration.jobs import coopcis

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    failed = send(member)
    code, out, err = coopcis(capsys, "notify", "retry", "--json")  # the server still down
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert (report["tried"], report["sent"]) == (1, 0)
    assert report["failed"][0]["id"] == failed.pk and "refused" in report["failed"][0]["error"]

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # back up
    code, out, _ = coopcis(capsys, "notify", "retry")
    assert (code, out.strip()) == (0, "1 message(s) tried: 1 sent, 0 failed again")
    code, out, _ = coopcis(capsys, "notify", "retry")
    assert out.strip() == "0 message(s) tried: 0 sent, 0 failed again" and len(mail.outbox) == 1
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (MessageStatus.SENT, 3)

    code, _, err = coopcis(capsys, "notify", "retry", "--limit", "0")
    assert code != 0 and err.strip().endswith("--limit must be 1-100000, got 0")
