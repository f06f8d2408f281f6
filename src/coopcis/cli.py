"""The ``coopcis`` command.

``coopcis rate ...``, ``coopcis rebates list|quote`` and ``coopcis loans quote`` run pure tools
without starting Django (they need no database, and a rate study over millions of
intervals should not pay for it).
``coopcis serve`` runs the site under gunicorn (``coopcis.commands.serve``);
``coopcis backup`` and ``restore`` copy the database (``coopcis.commands.backup``).
Every other word is a Django management command of the project (``coopcis demo``,
``coopcis bill-run``) or of Django itself (``coopcis migrate``, ``coopcis runserver``),
so no separate manage.py is needed.

Errors end in one readable line on stderr and a non-zero exit; set
``COOPCIS_DEBUG=1`` to see the traceback instead. With ``COOPCIS_LOG_FILE`` set, an
unexpected error's traceback is also written to that log.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Sequence

#: Commands served without Django: word -> "module:function(argv) -> exit code".
PURE_COMMANDS = {
    "rate": "coopcis.commands.rate:main",
    "serve": "coopcis.commands.serve:main",
    "backup": "coopcis.commands.backup:backup_main",
    "restore": "coopcis.commands.backup:restore_main",
    "rebates": "coopcis.commands.programs:rebates_main",
    "loans": "coopcis.commands.programs:loans_main",
}

#: Subcommands of a pure command that need the database: they run as the Django command
#: of the same name (``coopcis loans apply`` is ``apps/loans/management/commands/loans.py``).
DATABASE_SUBCOMMANDS = {
    "loans": frozenset({"apply", "approve", "disburse", "payoff-quote", "payoff", "schedule"}),
    "rebates": frozenset({"claim", "inspect", "approve", "deny", "report", "budget", "claims"}),
}


def _is_pure(args: list[str]) -> bool:
    if not args or args[0] not in PURE_COMMANDS:
        return False
    return not (len(args) > 1 and args[1] in DATABASE_SUBCOMMANDS.get(args[0], frozenset()))


def _pure_command(word: str) -> Callable[[list[str]], int]:
    # No pure command multiplies matrices; OpenBLAS would start a thread per CPU on
    # numpy's import all the same, and they spin beside a rate study's own threads.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    module_name, function_name = PURE_COMMANDS[word].split(":")
    function: Callable[[list[str]], int] = getattr(
        importlib.import_module(module_name), function_name
    )
    return function


def _run_django(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coopcis.site.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    # Django's command runner would hide a settings error (production mode without its
    # secrets) behind "unknown command": load the settings first so it is reported.
    settings.INSTALLED_APPS  # noqa: B018

    execute_from_command_line(["coopcis", *argv])
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = os.environ.get("COOPCIS_DEBUG") == "1"
    try:
        code = _pure_command(args[0])(args[1:]) if _is_pure(args) else _run_django(args)
    except KeyboardInterrupt:
        print("coopcis: interrupted", file=sys.stderr)
        code = 130
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        if isinstance(exit_.code, str):
            print(exit_.code, file=sys.stderr)
    except Exception as error:
        if debug:
            raise
        print(f"coopcis: error: {error}", file=sys.stderr)
        if os.environ.get("COOPCIS_LOG_FILE"):
            # the terminal gets one line; the log file (settings' LOGGING) the traceback
            import logging  # here: a pure command's start-up does not pay for it

            logging.getLogger("coopcis.cli").error(
                "coopcis %s failed", " ".join(args), exc_info=True
            )
        code = 1
    if argv is None:
        sys.exit(code)
    return code


if __name__ == "__main__":
    main()
