"""Base class for coopcis management commands: errors end in one line, never a traceback.

A :class:`RuleViolation`, a missing record or a bad argument prints
``coopcis <command>: error: <message>`` on stderr and exits non-zero (2 for bad
arguments, 1 otherwise). ``COOPCIS_DEBUG=1`` shows the traceback instead.

Every change is attributed to a named staff sign-in: ``--as USER`` (accepted before or
after the subcommand) or ``COOPCIS_OPERATOR=USER``, checked against the staff accounts
(``coopcis.apps.staff.operators``). A command, or subcommand, that changes data refuses
to run without one; those that only read (``read_only_actions``, ``--dry-run``) need none.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from decimal import Decimal
from typing import Any, NoReturn

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from coopcis.apps.audit.context import acting_as
from coopcis.apps.staff.operators import OPERATOR_VARIABLE, find_operator, operator_name
from coopcis.core.errors import RuleViolation
from coopcis.core.money import AmountError, parse_amount


def _add_operator_option(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """``--as USER`` on the command and every subcommand (so it may follow the subcommand)."""
    parser.add_argument(
        "--as",
        dest="operator",
        metavar="USER",
        default=None if top else argparse.SUPPRESS,
        help=f"the staff sign-in running this command (default: ${OPERATOR_VARIABLE})",
    )
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _add_operator_option(sub, top=False)


def _one_line_errors(parser: argparse.ArgumentParser, prog: str) -> None:
    """Make ``parser`` and its subcommand parsers report bad arguments in one line."""

    def error(message: str) -> NoReturn:
        if getattr(parser, "called_from_command_line", True) is False:
            raise CommandError(message)
        parser.exit(2, f"{prog}: error: {message}\n")

    parser.error = error  # type: ignore[method-assign]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _one_line_errors(sub, prog)


def _database_ready() -> bool:
    return get_user_model()._meta.db_table in connection.introspection.table_names()


class CoopCommand(BaseCommand):
    """Subclass and implement ``run(*args, **options)`` instead of ``handle``."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.prog = f"coopcis {subcommand}"
        _add_operator_option(parser, top=True)
        _one_line_errors(parser, parser.prog)
        return parser

    #: Subcommands (the ``action`` argument) that only read: no operator needed.
    read_only_actions: frozenset[str] = frozenset()
    #: True for a command that never changes data.
    read_only = False

    def changes_data(self, options: dict[str, Any]) -> bool:
        """Whether this run may change data, so needs a named operator."""
        if self.read_only or options.get("dry_run"):
            return False
        return options.get("action") not in self.read_only_actions

    #: Django closes every database connection when a command run from the command line
    #: ends. The test suite runs commands in-process inside a test transaction, and turns
    #: this off so the transaction survives (tests/conftest.py).
    close_connections_after_command_line = True

    def run_from_argv(self, argv: list[str]) -> None:
        self._command_line_name = f"coopcis {argv[1]}"
        if self.close_connections_after_command_line:
            super().run_from_argv(argv)
            return
        self._called_from_command_line = True
        parser = self.create_parser(argv[0], argv[1])
        options = vars(parser.parse_args(argv[2:]))
        args = options.pop("args", ())
        self.execute(*args, **options)

    def execute(self, *args: Any, **options: Any) -> str | None:
        name = getattr(self, "_command_line_name", None)
        if name is None or os.environ.get("COOPCIS_DEBUG") == "1":
            return super().execute(*args, **options)  # call_command: let errors raise
        try:
            return super().execute(*args, **options)
        except CommandError as error:
            sys.stderr.write(f"{name}: error: {error}\n")
            sys.exit(error.returncode)

    def handle(self, *args: Any, **options: Any) -> str | None:
        command = self.__module__.rsplit(".", 1)[-1]
        try:
            explicit = options.pop("operator", None)
            name = operator_name(explicit)
            user = None
            if not _database_ready():
                pass  # before `migrate` there is no data, and no sign-in to check
            elif self.changes_data(options):
                user = find_operator(name, changes_data=True)
            elif explicit:  # reading needs no operator, but one named on the line must exist
                user = find_operator(name, changes_data=False)
            elif name:  # one named by the environment is recorded when known
                user = get_user_model().objects.filter(username=name, is_active=True).first()
            if user is None:
                with acting_as(label=f"cli:unnamed:{command}"):
                    return self.run(*args, **options)
            with acting_as(user=user, label=f"cli:{user.get_username()}:{command}"):
                return self.run(*args, **options)
        except RuleViolation as violation:
            raise CommandError(str(violation)) from violation
        except ObjectDoesNotExist as missing:
            raise CommandError(str(missing)) from missing

    def run(self, *args: Any, **options: Any) -> str | None:
        raise NotImplementedError


def amount(text: str) -> Decimal:
    """An ``--amount``-style argument, read by the core's one money parser (whole cents, no
    exponent, no separators); argparse names the option in the one-line error."""
    try:
        return parse_amount(text, field="amount").amount
    except AmountError as refused:
        raise argparse.ArgumentTypeError(refused.message) from None


def day(text: str) -> date:
    """A date argument (``YYYY-MM-DD``) of what staff record; a bad one ends the command in
    one line, ``coopcis: error: not a date ...``, exit 1. The day a job acts on is read by
    :mod:`coopcis.site.jobs` instead (not after today; argparse's line, exit 2)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"not a date (YYYY-MM-DD): {text!r}") from None
