"""`coopcis notify reminders`: the "due soon" and "past due" messages are sent, by the
member's choice of email or text and in their language, once per account and due date.

The small co-op's October bills are dated 10 October and due 30 October; the home owes
$183.89. Reminders go within 3 days before the due date (27 to 30 October) and past-due
messages within 7 days after it (31 October to 6 November)."""

from __future__ import annotations

import json
from datetime import date

import pytest

from coopcis.apps.billing.models import Bill
from coopcis.apps.notify.models import OutboxMessage
from coopcis.apps.notify.services import set_contact, set_preference
from coopcis.apps.notify.sms import SIMULATOR_OUTBOX
from tests.integration.collections.conftest import pay
from tests.integration.jobs import coopcis
from tests.integration.portal.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def members(billed, freeze_today):
    """Ana (the home, English, email) and Luis (the time-of-use home, Spanish, texts)
    hold portal sign-ins; the lighting account's member too, but it is on autopay; the
    mill's member has none."""
    freeze_today(date(2026, 11, 10))
    home, tou_home, lights = billed.home, billed.tou_home, billed.lights
    home.email = "ana@example.org"
    home.save()
    tou_home.email, tou_home.language = "luis@example.org", "ES"
    tou_home.save()
    lights.email, lights.autopay = "rosa@example.org", True
    lights.save()
    member("ana@example.org", home)
    member("luis@example.org", tou_home)
    member("rosa@example.org", lights)
    set_contact(party=tou_home.party, email="", mobile_phone="(575) 835-0101")
    for kind in ("due_soon", "past_due"):
        set_preference(party=tou_home.party, kind=kind, channel="SMS")
    SIMULATOR_OUTBOX.clear()
    yield billed
    SIMULATOR_OUTBOX.clear()


def reminders(capsys, django_capture_on_commit_callbacks, *argv):
    with django_capture_on_commit_callbacks(execute=True):
        code, out, err = coopcis(capsys, "notify", "reminders", *argv, "--json")
    assert (code, err) == (0, ""), err
    return json.loads(out)


def test_due_soon_then_past_due_by_each_members_choice_and_language_once(
    members, capsys, django_capture_on_commit_callbacks, smtp_server
):
    home, tou_home = members.home, members.tou_home
    tou_amount = Bill.objects.get(account=tou_home).total_amount
    run = lambda day: reminders(capsys, django_capture_on_commit_callbacks, "--as-of", day)  # noqa: E731

    assert run("2026-10-26")["sent"] == []  # four days ahead: not yet
    soon = run("2026-10-27")
    again = run("2026-10-28")

    assert [
        (row["account"], row["kind"], row["amount"], row["channel"]) for row in soon["sent"]
    ] == [
        (home.number, "due_soon", "183.89", "EMAIL"),
        (tou_home.number, "due_soon", f"{tou_amount:.2f}", "SMS"),
    ]  # the lighting account is on autopay; the mill's member has no sign-in
    assert again["sent"] == [] and again["already_sent"] == 2
    [mail] = smtp_server.wait_for(1)
    assert mail["To"] == "ana@example.org"
    assert mail["Subject"] == "Reminder: $183.89 due October 30, 2026"
    body = " ".join(smtp_server.body(mail).split())
    assert (
        f"This is a reminder that $183.89 for account {home.number} is due on October 30, 2026."
        in body
    )
    [text] = SIMULATOR_OUTBOX
    assert text.to == "+15758350101"
    assert (
        f"recordatorio, ${tou_amount:,.2f} de la cuenta {tou_home.number} vence el 30 de octubre de 2026"
        in text.body
    )

    late = run("2026-10-31")

    # past due: the lighting account too, its draft not taken (no draft ran here)
    assert [(row["account"], row["kind"]) for row in late["sent"]] == [
        (home.number, "past_due"),
        (tou_home.number, "past_due"),
        (members.lights.number, "past_due"),
    ]
    smtp_server.wait_for(3)
    [past_due_mail] = smtp_server.to("ana@example.org")[1:]
    assert past_due_mail["Subject"] == f"Your bill for account {home.number} is past due"
    assert (
        f"We have not received payment of $183.89 for account {home.number}, which was due on "
        "October 30, 2026. Please pay as soon as you can."
    ) in " ".join(smtp_server.body(past_due_mail).split())
    assert f"${tou_amount:,.2f} de la cuenta {tou_home.number}" in SIMULATOR_OUTBOX[1].body
    assert "vencid" in SIMULATOR_OUTBOX[1].body
    assert run("2026-11-01")["already_sent"] == 3
    assert OutboxMessage.objects.filter(kind__in=["due_soon", "past_due"]).count() == 5


def test_a_kind_turned_off_or_a_bill_paid_sends_nothing_and_old_bills_are_left(
    members, capsys, django_capture_on_commit_callbacks, smtp_server
):
    home, tou_home = members.home, members.tou_home
    set_preference(party=tou_home.party, kind="due_soon", channel="OFF")
    pay(home, "183.89", date(2026, 10, 25))

    soon = reminders(capsys, django_capture_on_commit_callbacks, "--as-of", "2026-10-29")

    assert soon["sent"] == []  # the home paid; the lighting account is on autopay
    assert [(row["account"], row["status"]) for row in soon["not_sent"]] == [
        (tou_home.number, "SKIPPED")
    ]
    # a week after the due date is the last day a past-due message goes; a later first run
    # does not tell members about bills long past
    assert (
        reminders(capsys, django_capture_on_commit_callbacks, "--as-of", "2026-11-07")["sent"] == []
    )
    last = reminders(capsys, django_capture_on_commit_callbacks, "--as-of", "2026-11-06")
    assert [(row["account"], row["kind"]) for row in last["sent"]] == [
        (tou_home.number, "past_due"),
        (members.lights.number, "past_due"),
    ]  # the home paid
    assert [mail["To"] for mail in smtp_server.wait_for(1)] == ["rosa@example.org"]


def test_a_dry_run_sends_nothing_and_a_future_day_is_refused(
    members, capsys, django_capture_on_commit_callbacks, smtp_server
):
    dry = reminders(
        capsys, django_capture_on_commit_callbacks, "--as-of", "2026-10-28", "--dry-run"
    )

    assert dry["dry_run"] is True and len(dry["sent"]) == 2
    assert not OutboxMessage.objects.exists()
    assert smtp_server.messages == [] and SIMULATOR_OUTBOX == []

    code, _out, err = coopcis(capsys, "notify", "reminders", "--as-of", "2026-11-11")
    assert code == 2
    assert "argument --as-of: 2026-11-11 is after today (2026-11-10" in err
    assert "Traceback" not in err
