"""Who runs a command: a named staff sign-in, never whatever ``$USER`` says.

A command that changes data names its operator with ``--as USER`` or the environment
variable ``COOPCIS_OPERATOR``; the name must be an active staff sign-in (made with
``coopcis staff add``) whose role may change data. Without one the command refuses, so
every change made from the command line is attributed to a person the co-op knows.
"""

from __future__ import annotations

import os
from typing import Any

from django.contrib.auth import get_user_model

from coopcis.apps.staff.roles import ROLE_NAMES
from coopcis.core.errors import RuleViolation

OPERATOR_VARIABLE = "COOPCIS_OPERATOR"

#: Roles whose sign-ins may change data; read-only may only run commands that read.
CHANGING_ROLES = frozenset(label for name, label in ROLE_NAMES.items() if name != "read_only")


def operator_name(explicit: str | None) -> str:
    """``--as`` when given, else ``$COOPCIS_OPERATOR``, else ""."""
    return (explicit or os.environ.get(OPERATOR_VARIABLE, "")).strip()


def may_change_data(user: Any) -> bool:
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=CHANGING_ROLES).exists()


def find_operator(name: str, *, changes_data: bool) -> Any:
    """The active staff sign-in called ``name``; refused when unknown, inactive, or (for a
    command that changes data) without a role that may change it."""
    if not name:
        raise RuleViolation(
            "this command changes data: name the staff member running it with --as USER "
            f"or {OPERATOR_VARIABLE}=USER (a sign-in made with `coopcis staff add`)",
            field="as",
        )
    user = get_user_model().objects.filter(username=name).first()
    if user is None or not user.is_active:
        raise RuleViolation(f"{name!r} is not an active staff sign-in", field="as")
    if changes_data and not may_change_data(user):
        raise RuleViolation(f"{name!r} has no role that may change data (read-only)", field="as")
    return user
