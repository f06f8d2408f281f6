"""``coopcis field-keys``: the keys that encrypt members' bank details at rest.

    coopcis field-keys new       # print a new key (changes nothing)
    coopcis field-keys rotate    # re-encrypt every row under the first key

Rotation: put the new key first in ``COOPCIS_FIELD_KEY`` (``NEW,OLD``), run ``rotate``,
then drop the old key. Reading works throughout, since every listed key decrypts.
"""

from __future__ import annotations

import json
from typing import Any

from cryptography.fernet import Fernet
from django.core.management.base import CommandParser
from django.db import transaction

from coopcis.site.commands import CoopCommand
from coopcis.site.encryption import rotate_keys


class Command(CoopCommand):
    help = "Make a new field-encryption key, or re-encrypt every row under the first key."
    read_only_actions = frozenset({"new"})

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("new", help="print a new key for COOPCIS_FIELD_KEY")
        rotate = sub.add_parser("rotate", help="re-encrypt every row under the first key")
        rotate.add_argument("--json", action="store_true")

    def run(self, *args: Any, **options: Any) -> None:
        if options["action"] == "new":
            self.stdout.write(Fernet.generate_key().decode())
            return
        with transaction.atomic():
            rewritten = rotate_keys()
        if options["json"]:
            self.stdout.write(json.dumps(rewritten))
            return
        for label, count in rewritten.items():
            self.stdout.write(f"{label}: {count} rows re-encrypted under the first key")
