"""What the work lists of members' requests share (payment arrangements, mailing address
changes, medical certificates: :mod:`coopcis.apps.members.requests`): the page of waiting
requests, oldest first, each with its decline form where it is answered on the list, and
the decline with the reason the member reads. Each list keeps its own query, columns
(``backoffice/work_requests.html``, extended), URLs and permission."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from coopcis.apps.backoffice.forms import add_violation
from coopcis.core.errors import RuleViolation

#: The most rows a work list shows (the oldest).
SHOWN = 200


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Reason for the member", max_length=300, help_text="The member reads this."
    )


@dataclass(frozen=True, slots=True)
class RequestList:
    """One work list: its template, its waiting requests oldest first, the permission to
    answer them, and the prefix of each row's decline form ("" where each request is
    answered on its own page)."""

    template: str
    waiting: Callable[[], QuerySet[Any]]
    permission: str
    decline_prefix: str = ""
    dress: Callable[[Any], None] | None = None

    def page(self, request: HttpRequest, failed: Any = None) -> HttpResponse:
        """The list; ``failed``, a request whose decline was refused, keeps its form."""
        rows = list(self.waiting()[:SHOWN])
        for row in rows:
            if self.decline_prefix:
                row.form = (
                    failed.form if failed is not None and failed.pk == row.pk else (
                        DeclineForm(prefix=f"{self.decline_prefix}{row.pk}")
                    )
                )  # fmt: skip
            if self.dress is not None:
                self.dress(row)
        context = {"rows": rows, "can_work": request.user.has_perm(self.permission)}
        return render(request, self.template, context)


def decline_posted(form: forms.Form, decline: Callable[[date, str], object]) -> bool:
    """Decline with the reason posted on ``form`` (``decline(on, reason)``, today); False,
    the refusal shown on the form, when the form or the rules refuse it."""
    if not form.is_valid():
        return False
    try:
        with transaction.atomic():
            decline(timezone.localdate(), form.cleaned_data["reason"])
    except RuleViolation as violation:
        add_violation(form, violation)
        return False
    return True
