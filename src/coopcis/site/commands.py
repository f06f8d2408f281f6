"""Base class for coopcis management commands: errors end in one line, never a traceback.

A :class:`RuleViolation`, a missing record or a bad argument prints
``coopcis <command>: error: <message>`` on stderr and exits non-zero (2 for bad
arguments, 1 otherwise). ``COOPCIS_DEBUG=1`` shows the traceback instead.
"""

from __future__ import annotations

import os
import sys
from typing import Any, NoReturn

from django.core.exceptions import ObjectDoesNotExist
from django.core.management.base import BaseCommand, CommandError, CommandParser

from coopcis.core.errors import RuleViolation


class OneLineParser(CommandParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


class CoopCommand(BaseCommand):
    """Subclass and implement ``run(*args, **options)`` instead of ``handle``."""

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        kwargs.setdefault("parser_class", OneLineParser)
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.prog = f"coopcis {subcommand}"
        return parser

    def run_from_argv(self, argv: list[str]) -> None:
        try:
            super().run_from_argv(argv)
        except CommandError as error:
            if os.environ.get("COOPCIS_DEBUG") == "1":
                raise
            sys.stderr.write(f"coopcis {argv[1]}: error: {error}\n")
            sys.exit(getattr(error, "returncode", 1))

    def handle(self, *args: Any, **options: Any) -> str | None:
        try:
            return self.run(*args, **options)
        except RuleViolation as violation:
            raise CommandError(str(violation)) from violation
        except ObjectDoesNotExist as missing:
            raise CommandError(str(missing)) from missing

    def run(self, *args: Any, **options: Any) -> str | None:
        raise NotImplementedError
