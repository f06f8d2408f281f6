"""How every staff page shows a service's refusal: against the input it names; and the
page of a form about one account that the programs' apps (loans, net metering, rebates)
share.

Here, in the staff app, so that pages in any app use it without importing the back office.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from coopcis.apps.audit.models import ReadKind
from coopcis.apps.audit.reads import record_read
from coopcis.core.errors import RuleViolation


def form_field_for(
    violation: RuleViolation, aliases: dict[str, str | None] | None = None
) -> str | None:
    """The input a refusal names: ``premise.zip_code`` -> ``premise_zip_code``."""
    if not violation.field:
        return None
    name = violation.field.replace(".", "_")
    return (aliases or {}).get(name, name)


def add_violation(
    form: forms.Form, violation: RuleViolation, aliases: dict[str, str | None] | None = None
) -> None:
    field = form_field_for(violation, aliases)
    form.add_error(field if field in form.fields else None, violation.message)


def account_form_page(
    request: HttpRequest,
    account: Any,
    form: forms.Form,
    template: str,
    record: Callable[[dict[str, Any]], HttpResponse],
    *,
    aliases: dict[str, str | None] | None = None,
    logs_read: bool = True,
) -> HttpResponse:
    """A form about one account (``template``, given ``account`` and ``form``): a valid
    POST is recorded in one transaction (``record(cleaned_data)``, which says what was
    done and answers where to go next); a refusal shows against the field it names
    (``aliases``) and the page again, 400. Shown, the form is a read of the account,
    logged (unless ``logs_read`` is False)."""
    bound = request.method == "POST"
    if bound and form.is_valid():
        try:
            with transaction.atomic():
                return record(form.cleaned_data)
        except RuleViolation as violation:
            add_violation(form, violation, aliases)
    elif logs_read:
        record_read(request, account_number=account.number, kind=ReadKind.ACCOUNT_PAGE)
    context = {"account": account, "form": form}
    return render(request, template, context, status=400 if bound else 200)
