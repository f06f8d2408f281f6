"""Notes and contacts from the account page: write one, pin or unpin it."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from coopcis.apps.backoffice.permissions import staff_view
from coopcis.apps.backoffice.views import account_or_404, not_found
from coopcis.apps.members.models import ContactNote
from coopcis.apps.members.notes import add_contact_note, set_note_pinned
from coopcis.core.errors import RuleViolation

ADD_NOTE = "members.add_contactnote"
PIN_NOTE = "members.change_contactnote"


def _to_notes(number: str) -> HttpResponse:
    return redirect(reverse("backoffice:account", kwargs={"number": number}) + "#notes")


@require_POST
@staff_view(ADD_NOTE, action="write notes")
def note_new(request: HttpRequest, number: str) -> HttpResponse:
    account = account_or_404(request, number)
    if isinstance(account, HttpResponse):
        return account
    try:
        add_contact_note(
            account=account,
            channel=request.POST.get("channel", ""),
            text=request.POST.get("text", "")[:4000],
            pinned=request.POST.get("pinned") in ("on", "1"),
        )
    except RuleViolation as violation:
        messages.error(request, f"Note not added: {violation.message}.")
    else:
        messages.success(request, "Note added.")
    return _to_notes(account.number)


@require_POST
@staff_view(PIN_NOTE, action="pin notes")
def note_pin(request: HttpRequest, number: str, note_id: int) -> HttpResponse:
    note = ContactNote.objects.filter(pk=note_id, account__number=number).first()
    if note is None:
        return not_found(request, f"note {note_id} on account {number}")
    pinned = request.POST.get("pinned") == "1"
    set_note_pinned(note=note, pinned=pinned)
    messages.success(request, "Note pinned." if pinned else "Note unpinned.")
    return _to_notes(number)
