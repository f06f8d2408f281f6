"""Rule violations: a refusal that names the field at fault.

Raised by core rules and by the service functions that change master data; forms
and the API show ``message`` against ``field``, the CLI prints it as one line.
"""

from __future__ import annotations

from collections.abc import Mapping


class RuleViolation(ValueError):
    """A change the co-op's rules refuse (``field`` is the input at fault, if any).

    ``code`` names the rule for a page that words the refusal itself (in the member's
    language: the core has no translations), with ``params`` the figures it cites;
    ``message`` stays the English the CLI, the API and staff read."""

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str = "",
        params: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
        self.params: dict[str, object] = dict(params or {})

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message
