"""Rule violations: a refusal that names the field at fault.

Raised by core rules and by the service functions that change master data; forms
and the API show ``message`` against ``field``, the CLI prints it as one line.
"""

from __future__ import annotations


class RuleViolation(ValueError):
    """A change the co-op's rules refuse (``field`` is the input at fault, if any)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message
