"""The account's notes and contact log: who wrote what and when, pinned notes on top."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from coopcis.apps.members.models import ContactNote
from tests.integration.backoffice.conftest import account_card

pytestmark = pytest.mark.django_db


def test_a_clerk_logs_a_phone_call_and_it_shows_who_when_and_what(client_as, maria):
    clerk = client_as("customer_service")

    response = clerk.post(
        "/accounts/3100417/notes/new/",
        {"channel": "PHONE", "text": "Asked why the bill went up; explained the PCA."},
    )

    assert response.status_code == 302 and response.url == "/accounts/3100417/#notes"
    note = ContactNote.objects.get()
    assert note.account == maria.account and note.channel == "PHONE" and not note.pinned
    assert note.by.startswith("staff:customer_service-clerk")  # the signed-in user
    card = account_card(clerk, maria.account, "notes")
    assert "Phone call" in card and "explained the PCA" in card and note.by in card


def test_pinned_notes_come_first_then_the_newest(client_as, maria):
    now = timezone.now()
    for text, minutes, pinned in (("old pinned", 90, True), ("newest", 0, False),
                                  ("older", 30, False)):  # fmt: skip
        ContactNote.objects.create(account=maria.account, at=now - timedelta(minutes=minutes),
                                   by="web:rosa", channel="NOTE", text=text, pinned=pinned)  # fmt: skip

    card = account_card(client_as("read_only"), maria.account, "notes")

    assert card.index("old pinned") < card.index("newest") < card.index("older")
    assert card.count("Pinned</span>") == 1
    assert "Add note" not in card  # read-only: no form


def test_pin_and_unpin(client_as, maria):
    note = ContactNote.objects.create(
        account=maria.account, by="web:rosa", channel="OFFICE", text="Gate code 4471"
    )
    clerk = client_as("customer_service")

    clerk.post(f"/accounts/3100417/notes/{note.pk}/pin/", {"pinned": "1"})
    note.refresh_from_db()
    assert note.pinned
    clerk.post(f"/accounts/3100417/notes/{note.pk}/pin/", {"pinned": "0"})
    note.refresh_from_db()
    assert not note.pinned


def test_an_empty_note_is_refused_and_nothing_is_written(client_as, maria):
    response = client_as("customer_service").post(
        "/accounts/3100417/notes/new/", {"channel": "PHONE", "text": "   "}, follow=True
    )

    assert "Note not added: say what was said or done." in response.text
    assert not ContactNote.objects.exists()


def test_a_read_only_clerk_cannot_write_or_pin(client_as, maria):
    note = ContactNote.objects.create(
        account=maria.account, by="web:rosa", channel="OFFICE", text="x"
    )
    clerk = client_as("read_only")

    assert (
        clerk.post("/accounts/3100417/notes/new/", {"channel": "PHONE", "text": "hi"}).status_code
        == 403
    )
    assert clerk.post(f"/accounts/3100417/notes/{note.pk}/pin/", {"pinned": "1"}).status_code == 403
    assert ContactNote.objects.count() == 1


def test_a_get_does_not_write(client_as, maria):
    assert client_as("customer_service").get("/accounts/3100417/notes/new/").status_code == 405
