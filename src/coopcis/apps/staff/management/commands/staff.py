"""``coopcis staff``: staff sign-ins with a role.

    coopcis staff add NAME --role customer_service [--full-name "Ana García"] [--email E]
    coopcis staff password NAME        # a new one-time password
    coopcis staff list

``add`` and ``password`` print a one-time password once; its holder chooses their own at
the first sign-in. A manager runs them (``--as`` or ``COOPCIS_OPERATOR``); on an empty
install the first sign-in, a manager, needs no operator.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandParser

from coopcis.apps.audit.context import current_actor
from coopcis.apps.staff.roles import ROLE_NAMES
from coopcis.apps.staff.services import add_staff, has_staff, reset_password, role_of
from coopcis.core.errors import RuleViolation
from coopcis.site.commands import CoopCommand


class Command(CoopCommand):
    help = "Staff sign-ins: add one with a role, reset a password, list them."
    read_only_actions = frozenset({"list"})

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="a new sign-in with a role; prints its password once")
        add.add_argument("username", metavar="NAME")
        add.add_argument("--role", required=True, choices=sorted(ROLE_NAMES))
        add.add_argument("--full-name", default="")
        add.add_argument("--email", default="")
        password = sub.add_parser("password", help="a new one-time password for a sign-in")
        password.add_argument("username", metavar="NAME")
        sub.add_parser("list", help="every sign-in, its role and whether it is active")

    def changes_data(self, options: dict[str, Any]) -> bool:
        if options.get("action") == "add" and not has_staff():
            return False  # the first sign-in of an empty install
        return super().changes_data(options)

    def run(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        by = current_actor().user
        if action == "add":
            user, password = add_staff(
                username=options["username"],
                role=options["role"],
                full_name=options["full_name"],
                email=options["email"],
                by=by,
            )
            self._print_password(user.get_username(), password, role_of(user))
        elif action == "password":
            if by is None:
                raise RuleViolation("name the manager resetting it with --as", field="as")
            password = reset_password(username=options["username"], by=by)
            self._print_password(options["username"], password, "")
        else:
            for user in get_user_model().objects.order_by("username").prefetch_related("groups"):
                state = "active" if user.is_active else "inactive"
                self.stdout.write(f"{user.get_username():<20} {role_of(user):<30} {state}")

    def _print_password(self, username: str, password: str, role: str) -> None:
        role_text = f" ({role})" if role else ""
        self.stdout.write(f"Sign-in {username}{role_text}. One-time password:")
        self.stdout.write(password)
        self.stdout.write(
            "It cannot be shown again; a new one must be chosen at the first sign-in."
        )
