"""What the back office's work lists share: the page of rows waiting for staff, oldest
first, each with the form it is worked with where it is worked on the list, and the work
itself: one service call in one transaction, its message, and back to the list, or the
list again with the refusal against the row's form.

Members' requests (payment arrangements, mailing address changes, medical certificates:
:mod:`coopcis.apps.members.requests`) are declined with the reason the member reads
(:class:`DeclineForm`); the queues of ``work_views`` (meter-read exceptions, lockbox
suspense, refund checks) have forms of their own. Each list keeps its own query, columns
(``backoffice/work_requests.html``, extended, for members' requests), URLs and
permission."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from coopcis.apps.backoffice.forms import add_violation
from coopcis.apps.backoffice.views import posted_data
from coopcis.core.errors import RuleViolation

#: The most rows a work list shows (the oldest).
SHOWN = 200


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Reason for the member", max_length=300, help_text="The member reads this."
    )


def worked(request: HttpRequest, form: forms.Form, do: Callable[[dict[str, Any]], str]) -> bool:
    """For a valid posted ``form``, ``do(cleaned_data)`` in one transaction and the message
    it returns shown; False, the refusal against the form's field, when the form or the
    rules refuse it."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        with transaction.atomic():
            message = do(form.cleaned_data)
    except RuleViolation as violation:
        add_violation(form, violation)
        return False
    messages.success(request, message)
    return True


@dataclass(frozen=True, slots=True)
class WorkList:
    """One work list: its template, its waiting rows oldest first, the permission to work
    them, the list's URL name (where working a row goes back to), and each row's form with
    its prefix (no prefix: each row is worked on its own page)."""

    template: str
    waiting: Callable[[], QuerySet[Any]]
    permission: str
    url: str
    form_prefix: str = ""
    row_form: type[forms.Form] = DeclineForm
    dress: Callable[[Any], None] | None = None

    def page(self, request: HttpRequest, failed: Any = None) -> HttpResponse:
        """The list; ``failed``, a row whose work was refused, keeps its form."""
        rows = list(self.waiting()[:SHOWN])
        for row in rows:
            if self.form_prefix:
                row.form = (
                    failed.form if failed is not None and failed.pk == row.pk else (
                        self.row_form(prefix=f"{self.form_prefix}{row.pk}")
                    )
                )  # fmt: skip
            if self.dress is not None:
                self.dress(row)
        context = {"rows": rows, "can_work": request.user.has_perm(self.permission)}
        return render(request, self.template, context)

    def work(
        self, request: HttpRequest, row: Any, do: Callable[[dict[str, Any]], str]
    ) -> HttpResponse:
        """``row``'s form posted: ``do(cleaned_data)`` (:func:`worked`) and back to the
        list, or the list again with the refusal against the row's form."""
        form = self.row_form(posted_data(request), prefix=f"{self.form_prefix}{row.pk}")
        if worked(request, form, do):
            return redirect(self.url)
        row.form = form
        return self.page(request, failed=row)

    def answer(self, request: HttpRequest, row: Any, do: Callable[[], str]) -> HttpResponse:
        """Staff's yes to a member's request, from the list: ``do()`` in one transaction
        and its message, or the refusal naming the request's account; back to the list."""
        try:
            with transaction.atomic():
                message = do()
        except RuleViolation as violation:
            messages.error(request, f"Account {row.account.number}: {violation.message}")
        else:
            messages.success(request, message)
        return redirect(self.url)
