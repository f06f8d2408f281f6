"""Development's email backend: each message printed on standard error.

Django's console backend prints on standard output, which is where commands print
their results: a command that sends mail (capital-credit notices, autopay receipts)
would mix the messages into its ``--json`` output. Standard error keeps them apart.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.mail.backends import console


class ConsoleEmailBackend(console.EmailBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("stream", sys.stderr)
        super().__init__(*args, **kwargs)
