"""How every staff page shows a service's refusal: against the input it names.

Here, in the staff app, so that pages in any app use it without importing the back office.
"""

from __future__ import annotations

from django import forms

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
