"""The account's notes and contact log: write a note, pin or unpin it.

Notes are kept as written; who wrote one is the signed-in user (the audit actor), never
something typed in the form.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet

from coopcis.apps.audit.context import current_actor
from coopcis.apps.members.models import Account, ContactChannel, ContactNote
from coopcis.core.errors import RuleViolation

#: Notes the account page lists (pinned ones first, then the newest).
NOTES_SHOWN = 50


def add_contact_note(
    *, account: Account, channel: str, text: str, pinned: bool = False
) -> ContactNote:
    """Record a contact or a note on ``account``, by whoever is acting now."""
    text = text.strip()
    if not text:
        raise RuleViolation("say what was said or done", field="text")
    if channel not in ContactChannel.values:
        raise RuleViolation(f"unknown contact channel {channel!r}", field="channel")
    return ContactNote.objects.create(
        account=account, by=current_actor().label[:150], channel=channel, text=text, pinned=pinned
    )


@transaction.atomic
def set_note_pinned(*, note: ContactNote, pinned: bool) -> ContactNote:
    note = ContactNote.objects.select_for_update().get(pk=note.pk)
    note.pinned = pinned
    note.save(update_fields=["pinned"])
    return note


def account_notes(account: Account) -> QuerySet[ContactNote]:
    """Pinned notes first, then the newest (one query)."""
    return ContactNote.objects.filter(account=account).order_by("-pinned", "-at", "-id")[
        :NOTES_SHOWN
    ]


def notes_card(account: Account) -> dict[str, object]:
    """Context of ``members/_notes_card.html`` (registered in ``backoffice.cards``)."""
    return {"notes": list(account_notes(account)), "channels": ContactChannel.choices}
