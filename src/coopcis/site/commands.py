"""Base class for coopcis management commands: errors end in one line, never a traceback.

A :class:`RuleViolation`, a missing record or a bad argument prints
``coopcis <command>: error: <message>`` on stderr and exits non-zero (2 for bad
arguments, 1 otherwise). ``COOPCIS_DEBUG=1`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import os
import sys
from decimal import Decimal
from typing import Any, NoReturn

from django.core.exceptions import ObjectDoesNotExist
from django.core.management.base import BaseCommand, CommandError, CommandParser

from coopcis.apps.audit.context import acting_as
from coopcis.core.errors import RuleViolation
from coopcis.core.money import AmountError, parse_amount


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


class CoopCommand(BaseCommand):
    """Subclass and implement ``run(*args, **options)`` instead of ``handle``."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.prog = f"coopcis {subcommand}"
        _one_line_errors(parser, parser.prog)
        return parser

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
        label = f"cli:{os.environ.get('USER', 'unknown')}:{self.__module__.rsplit('.', 1)[-1]}"
        try:
            with acting_as(label=label):
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
