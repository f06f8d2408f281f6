"""``coopcis ledger verify``: check the whole ledger and its database guard."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandError, CommandParser

from coopcis.apps.ledger.integrity import verify_ledger
from coopcis.site.commands import CoopCommand


class Command(CoopCommand):
    help = (
        "verify: read every journal entry and line back and check that each entry balances "
        "to the cent, no line lacks its entry, every amount is a number, and the database's "
        "ledger guard is intact. Read-only; exits 1 on any problem."
    )
    read_only_actions = frozenset({"verify"})

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="check the books and the guard (read-only)")
        verify.add_argument("--json", action="store_true")

    def run(self, *args: Any, **options: Any) -> None:
        result = verify_ledger()
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "entries": result.entries,
                        "lines": result.lines,
                        "sound": result.sound,
                        "problems": result.problems,
                    },
                    indent=2,
                )
            )
        else:
            for problem in result.problems:
                self.stdout.write(f"problem: {problem}")
        if not result.sound:
            raise CommandError(f"the ledger has {len(result.problems)} kind(s) of problem")
        if not options["json"]:
            self.stdout.write(
                f"ledger sound: {result.entries:,} entries, {result.lines:,} lines, "
                "each entry balanced, the guard in place"
            )
