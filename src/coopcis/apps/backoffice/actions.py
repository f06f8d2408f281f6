"""Back-office steps that span more than one service call, each all or nothing.

Taking an application for a new party at a new premise records the party, the
premise and the application; if any part is refused, none of it is written. A
refusal from a nested step names its field with the step's prefix (``party.last_name``,
``premise.zip_code``) so the form or API can show it against the right input.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction

from coopcis.apps.members.models import Party, ServiceApplication
from coopcis.apps.members.services import create_party, submit_application
from coopcis.apps.premises.models import Premise
from coopcis.apps.premises.services import create_premise
from coopcis.core.errors import RuleViolation


@contextmanager
def prefixed(prefix: str) -> Iterator[None]:
    """Re-raise a refusal with its field under ``prefix`` (``zip_code`` -> ``premise.zip_code``)."""
    try:
        yield
    except RuleViolation as violation:
        field = f"{prefix}.{violation.field}" if violation.field else prefix
        raise RuleViolation(violation.message, field=field) from violation


@transaction.atomic
def take_application(
    *,
    party: Party | None,
    new_party: dict[str, Any] | None,
    premise: Premise | None,
    new_premise: dict[str, Any] | None,
    **application: Any,
) -> ServiceApplication:
    """Submit an application for an existing or new party at an existing or new premise."""
    if (party is None) == (new_party is None):
        raise RuleViolation("give either an existing party or a new one", field="party")
    if (premise is None) == (new_premise is None):
        raise RuleViolation("give either an existing premise or a new one", field="premise")
    if party is None:
        with prefixed("party"):
            party = create_party(**(new_party or {}))
    if premise is None:
        with prefixed("premise"):
            premise = create_premise(**(new_premise or {}))
    return submit_application(party=party, premise=premise, **application)
