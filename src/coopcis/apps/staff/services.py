"""Staff sign-ins: added with a role by a manager, each with a password shown once.

A representative gets a sign-in from ``coopcis staff add NAME --role ROLE`` or the
managers' Staff page, never from ``createsuperuser``: a superuser passes every check and
reaches the Django admin. The password is made here, printed or shown once, and kept
only as Django's salted hash: it is a one-time password, which the back office makes its
holder replace at the first sign-in (:class:`PasswordChangeRequired`).
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from coopcis.apps.staff.models import PasswordChangeRequired
from coopcis.apps.staff.roles import ROLE_NAMES
from coopcis.core.errors import RuleViolation

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
MANAGER = ROLE_NAMES["manager"]


def is_manager(user: Any) -> bool:
    """Managers (and superusers) give and take staff sign-ins."""
    return bool(user.is_superuser or user.groups.filter(name=MANAGER).exists())


def one_time_password() -> str:
    """16 random URL-safe characters (96 bits), shown once."""
    return secrets.token_urlsafe(12)


def has_staff() -> bool:
    """Whether any sign-in exists yet (the very first one needs no operator)."""
    return get_user_model().objects.exists()


def _role_group(role: str) -> Group:
    if role not in ROLE_NAMES:
        raise RuleViolation(f"role must be one of {', '.join(ROLE_NAMES)}", field="role")
    return Group.objects.get(name=ROLE_NAMES[role])


@transaction.atomic
def add_staff(
    *, username: str, role: str, full_name: str = "", email: str = "", by: Any = None
) -> tuple[Any, str]:
    """A new staff sign-in with one role; returns it and its one-time password.

    ``by`` is the manager adding it; None only for the first sign-in of an empty install,
    which must be a manager.
    """
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise RuleViolation(
            "a sign-in name is 2 to 40 lowercase letters, digits, '.', '_' or '-'",
            field="username",
        )
    group = _role_group(role)
    users = get_user_model().objects
    if by is None:
        if users.exists():
            raise RuleViolation("only a manager may add staff sign-ins", field="as")
        if role != "manager":
            raise RuleViolation("the first sign-in must be a manager", field="role")
    elif not is_manager(by):
        raise RuleViolation("only a manager may add staff sign-ins", field="as")
    if users.filter(username=username).exists():
        raise RuleViolation(f"there is already a sign-in {username!r}", field="username")
    first, _, last = full_name.strip().partition(" ")
    password = one_time_password()
    user = users.create_user(
        username=username, email=email.strip(), password=password, is_staff=True
    )
    user.first_name, user.last_name = first[:150], last[:150]
    user.save(update_fields=["first_name", "last_name"])
    user.groups.add(group)
    PasswordChangeRequired.objects.create(user=user)
    return user, password


@transaction.atomic
def reset_password(*, username: str, by: Any) -> str:
    """A new one-time password for a sign-in (a manager's act, or the staff member's own)."""
    user = get_user_model().objects.select_for_update().filter(username=username).first()
    if user is None:
        raise RuleViolation(f"no sign-in {username!r}", field="username")
    if not (is_manager(by) or by.pk == user.pk):
        raise RuleViolation("only a manager may reset another sign-in's password", field="as")
    password = one_time_password()
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    PasswordChangeRequired.objects.get_or_create(user=user)
    return password


def role_of(user: Any) -> str:
    names = {label: name for name, label in ROLE_NAMES.items()}
    roles = sorted(names[g.name] for g in user.groups.all() if g.name in names)
    if user.is_superuser:
        roles.insert(0, "superuser")
    return ", ".join(roles) or "none"
