"""What the governance staff pages do when a form is posted: call the service the command
calls and show its answer. A service refuses with a :class:`RuleViolation` citing the
bylaw: against the form field it names (or above the form) where the page shows the form
again, else as a message on the page it goes back to. A success is a message and a
redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from coopcis.core.errors import RuleViolation

Done = TypeVar("Done")


def refused_on_form(
    form: forms.Form, refused: RuleViolation, aliases: dict[str, str] | None = None
) -> None:
    """The service's refusal against the form field it names (``aliases``: the service's
    field name to the form's, where they differ), else above the form."""
    field = (refused.field or "").replace("-", "_")
    field = (aliases or {}).get(field, field)
    form.add_error(field if field in form.fields else None, refused.message)


def form_acted(
    request: HttpRequest,
    form: forms.Form,
    act: Callable[[dict[str, Any]], Done],
    *,
    done: Callable[[Done], str],
    to: str | Callable[[Done], str],
    aliases: dict[str, str] | None = None,
) -> HttpResponse | None:
    """For a valid ``form``, ``act(cleaned_data)``; then ``done(result)`` as a message and a
    redirect to ``to`` (or ``to(result)``). None when the form is not valid or the service
    refused (the refusal put on the form): the caller shows the form again."""
    if not form.is_valid():
        return None
    try:
        result = act(form.cleaned_data)
    except RuleViolation as refused:
        refused_on_form(form, refused, aliases)
        return None
    messages.success(request, done(result))
    return redirect(to(result) if callable(to) else to)


def acted(
    request: HttpRequest, act: Callable[[], Done], *, done: Callable[[Done], str], to: str
) -> HttpResponse:
    """``act()``, then ``done(result)`` as a message, or the service's refusal as an error
    message; either way back to ``to``."""
    try:
        result = act()
    except RuleViolation as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, done(result))
    return redirect(to)
